"""An answer's life, declared once: the lead agency's officer drafts; the agency head approves or
returns it; an approved answer is published at once or held for the session (the conference
decides), and the organisers may send a held answer back."""

from __future__ import annotations

from dialogue.answers.tables import Answer
from dialogue.core.vocabulary import N_, declare_action
from dialogue.machine.transitions import Action, StateMachine

A = Answer.State
NONE = ""  # no answer written yet

ANSWER = StateMachine(
    entity="answer",
    table=Answer,
    log_prefix="answer_",  # logged on the question, whose history shows the answer's steps
    states={
        A.draft.value: N_("Draft"), A.submitted.value: N_("Waiting for the agency head's approval"),
        A.returned.value: N_("Returned for changes"), A.approved.value: N_("Approved, to be published"),
        A.published.value: N_("Published"),
    },
    actions=StateMachine.define(
        Action("save", frozenset({NONE, A.draft.value, A.returned.value}), A.draft.value,
               N_("saved the answer draft"), logged_as="answer_saved"),
        Action("submit", frozenset({A.draft.value, A.returned.value}), A.submitted.value,
               N_("sent the answer for approval")),
        Action("approve", frozenset({A.submitted.value}), A.approved.value, N_("approved the answer")),
        Action("return", frozenset({A.submitted.value}), A.returned.value,  # by the agency head
               N_("returned the answer to the officer")),
        Action("organiser_return", frozenset({A.approved.value}), A.returned.value,  # held answers only
               N_("sent the answer back to the agency")),
        Action("publish", frozenset({A.approved.value}), A.published.value, N_("published the answer")),
    ),
    sets={
        "editable": frozenset({NONE, A.draft.value, A.returned.value}),  # text, files
        "open_to_parts": frozenset({NONE, A.draft.value, A.submitted.value, A.returned.value}),
        "published": frozenset({A.published.value}),
    },
)

declare_action("answer_part_saved", N_("saved their agency's part of the answer"))
declare_action("answer_file_added", N_("attached a file to the answer"))
declare_action("answer_at_session", N_("marked the answer to be given at the session"))
declare_action("answer_in_writing", N_("marked the answer to be given in writing"))
declare_action("answer_promise_added", N_("added a promise to the answer"))
declare_action("answer_promise_removed", N_("removed a promise from the answer"))
