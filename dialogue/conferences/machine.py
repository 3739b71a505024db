"""A conference's life, declared once: draft → open for questions → closed for questions → in session
→ concluded (minutes and conclusions published) → followed up (every promise settled)."""

from __future__ import annotations

from dialogue.conferences.tables import Conference
from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.machine.transitions import Action, StateMachine

S = Conference.State

CONFERENCE = StateMachine(
    entity="conference",
    table=Conference,
    log_prefix="conference_",
    states={
        S.draft.value: N_("Draft"), S.open.value: N_("Open for questions"),
        S.closed.value: N_("Closed for questions"), S.in_session.value: N_("In session"),
        S.concluded.value: N_("Concluded"), S.followed_up.value: N_("Followed up"),
    },
    actions=StateMachine.define(
        Action("open", frozenset({S.draft.value, S.closed.value}), S.open.value,
               N_("opened the conference for questions")),
        Action("close", frozenset({S.open.value}), S.closed.value, N_("closed the conference for questions")),
        Action("start", frozenset({S.open.value, S.closed.value}), S.in_session.value, N_("started the session")),
        Action("conclude", frozenset({S.in_session.value}), S.concluded.value, N_("concluded the conference")),
        Action("follow_up", frozenset({S.concluded.value}), S.followed_up.value,
               N_("marked every follow-up as settled")),
    ),
    sets={
        "public": frozenset(s.value for s in S if s is not S.draft),  # the public may see it
        "before_questions_close": frozenset({S.draft.value, S.open.value}),
        "taking_questions": frozenset({S.open.value}),  # within its window (see queries.accepting_questions)
        "agenda_editable": frozenset({S.draft.value, S.open.value, S.closed.value, S.in_session.value}),
        "recording": frozenset({S.in_session.value}),  # the console records outcomes only in session
        "live": frozenset({S.in_session.value}),  # the public conference page links its live page
        # its session is over and its minutes published: an answer given on the spot there may be rated
        "after_the_session": frozenset({S.concluded.value, S.followed_up.value}),
    },
)

# The buttons of the organiser's conference page, named as what they do (not as the state they lead to).
declare("conference_action", {
    "open": N_("Start taking questions"), "close": N_("Stop taking questions"),
    "start": N_("Start the session"), "conclude": N_("Conclude the conference"),
    "follow_up": N_("Mark every follow-up as settled"),
})

# Concluding is publishing the minutes and the conclusions notice (documents.commands.publish), which
# also tells the askers and hands the tasks to follow-up: it is never offered as a bare step.
BY_PUBLISHING = frozenset({"conclude"})

# The steps that cannot be taken back: each goes through a page of its own that says what it does
# (and warns when it comes before its planned time) before it is taken.
CONFIRMED_STEPS = frozenset({"close", "start", "conclude", "follow_up"})
declare("conference_step_effect", {
    "open": N_("Residents can send questions through the form during the question period."),
    "close": N_("Residents can no longer ask: the form and every ask link say that questions are closed. "
                "The questions already received stay in the screening queue."),
    "start": N_("The conference is shown as in session, and residents can no longer ask."),
    "conclude": N_("The conference is shown as concluded; its questions and answers stay public."),
    "follow_up": N_("The conference is shown as followed up: every promise made at it has been settled."),
})
declare("conference_kind", {
    Conference.Kind.residents.value: N_("Dialogue with residents"),
    Conference.Kind.businesses.value: N_("Dialogue with businesses"),
    Conference.Kind.thematic.value: N_("Thematic dialogue"),
})
declare_action("conference_created", N_("created the conference"))
declare_action("conference_updated", N_("changed the conference"))
