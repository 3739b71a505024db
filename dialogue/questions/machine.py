"""A question's life, declared once.

submitted ─► accepted ─► assigned ─► answered
   │  │         │  │        │  ▲
   │  │         │  │        └──┘ returned by the lead agency ("not ours") → accepted, to be routed again
   │  │         │  └► merged into another question (undoable: back to the state it had)
   │  ├► merged │
   │  ├► rejected (complaint or denunciation → its own procedure; abusive; not a question)
   │  └► forwarded (outside the locality's competence)
   └► withdrawn by the asker (any time before an answer is published)
"""

from __future__ import annotations

from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.machine.transitions import Action, StateMachine
from dialogue.questions.tables import Question

S = Question.State
WAITING = frozenset({S.submitted.value, S.accepted.value, S.assigned.value})  # nothing published yet

QUESTION = StateMachine(
    entity="question",
    table=Question,
    states={
        S.submitted.value: N_("Received, being screened"), S.accepted.value: N_("Accepted"),
        S.assigned.value: N_("With the agency responsible"), S.answered.value: N_("Answered"),
        S.rejected.value: N_("Not accepted"), S.forwarded.value: N_("Sent to another body"),
        S.merged.value: N_("Joined with a similar question"),
        S.withdrawn.value: N_("Withdrawn by the person who asked"),
    },
    explained={
        S.submitted.value: N_("The organisers will decide within 10 working days whether the question is accepted."),
        S.accepted.value: N_("The question has been accepted and will be sent to the agency responsible."),
        S.assigned.value: N_("The agency responsible is preparing the answer."),
        S.answered.value: N_("The answer has been published."),
        S.rejected.value: N_("The organisers explained why this question was not accepted."),
        S.forwarded.value: N_("The matter is for another body; the organisers said which."),
        S.merged.value: N_("It is answered together with a similar question."),
        S.withdrawn.value: N_("The person who asked withdrew the question; no answer will be given."),
    },
    actions=StateMachine.define(
        Action("accept", frozenset({S.submitted.value}), S.accepted.value,
               N_("accepted the question"), public=N_("Accepted")),
        Action("reject", frozenset({S.submitted.value, S.accepted.value}), S.rejected.value,
               N_("did not accept the question"), public=N_("Not accepted")),
        Action("forward", frozenset({S.submitted.value, S.accepted.value}), S.forwarded.value,
               N_("sent the question to another body"), public=N_("Sent to another body")),
        Action("merge", frozenset({S.submitted.value, S.accepted.value, S.assigned.value}), S.merged.value,
               N_("joined the question with a similar one"), public=N_("Joined with a similar question")),
        Action("unmerge", frozenset({S.merged.value}), None,  # back to the state it had before
               N_("separated the question again"), public=N_("Handled on its own again")),
        Action("assign", frozenset({S.accepted.value, S.assigned.value}), S.assigned.value,  # from assigned: re-routing
               N_("routed the question to an agency"), public=N_("With the agency responsible")),
        Action("return", frozenset({S.assigned.value}), S.accepted.value,  # by the lead agency: "not ours"
               N_("returned the question: not for their agency"),
               public=N_("Sent back for routing to the right agency"), public_reason=False, logged_as="returned"),
        Action("withdraw", WAITING, S.withdrawn.value,  # by the asker, before an answer
               N_("withdrew the question"), public=N_("Withdrawn by the person who asked"), logged_as="withdrawn"),
        Action("answer", frozenset({S.assigned.value}), S.answered.value,  # when its answer is published
               N_("published the answer"), public=N_("Answered"), logged_as="answered"),
    ),
    sets={
        "public": frozenset({S.accepted.value, S.assigned.value, S.answered.value}),  # and only with consent
        "screening": frozenset({S.submitted.value}),  # its screening deadline runs
        "with_agency": frozenset({S.assigned.value}),  # its answer deadline runs
        "answerable": frozenset({S.assigned.value, S.answered.value}),
        # what a conference's agenda takes: accepted, whether routed or answered already
        "agenda": frozenset({S.accepted.value, S.assigned.value, S.answered.value}),
        "can_take_others": frozenset(s.value for s in S) - {S.merged.value, S.withdrawn.value, S.rejected.value},
    },
)

declare_action("submitted", N_("sent the question"), public=N_("Question received"))
declare_action("floor_recorded", N_("recorded the question asked in the hall"), public=N_("Asked at the conference"))
declare("question_origin", {
    Question.Origin.online.value: N_("Sent before the conference"),
    Question.Origin.floor.value: N_("Asked in the hall"),
})
declare_action("public_text_edited", N_("edited the public text"))
declare("asker_kind", {
    Question.AskerKind.resident.value: N_("A resident"),
    Question.AskerKind.business.value: N_("A business or household business"),
    Question.AskerKind.organisation.value: N_("An organisation"),
})
REJECTION_CATEGORIES = ("complaint", "denunciation", "abusive", "not_question")
declare("rejection_category", {
    "complaint": N_("A complaint: it follows its own procedure"),
    "denunciation": N_("A denunciation: it follows its own procedure"),
    "abusive": N_("Abusive or offensive"), "not_question": N_("Not a question for this conference"),
})
declare("guidance", {
    "complaint": N_("Complaints and denunciations are handled under their own legal procedures: send yours to the "
                    "citizen reception office (Ban tiếp công dân) of the People's Committee, or to the authority that "
                    "made the decision you complain about."),
})
