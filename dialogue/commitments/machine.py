"""A commitment's life, declared once, and who may take each step.

(record) ─► open ─► in progress ─► reported done ─► verified (outcome: kept, partly kept, not kept)
             │  └──────┬──────────────┘    │
             │         ▼                   └► disputed ─► in progress (resume)
             │                    (also from verified: the asker or a re-inspection finds it not done)
             ├► extended (a new due date, the first one kept) ─► in progress / reported done
             └► cancelled (also from in progress, extended, disputed)

Overdue is not a state: it is worked out from the due date and the working-day calendar
(commitments/followup.py `overdue_days`), never stored.
"""

from __future__ import annotations

from dialogue.commitments.tables import Commitment
from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.machine.transitions import Action, StateMachine

S = Commitment.State
LIVE = frozenset({S.open.value, S.in_progress.value, S.extended.value, S.disputed.value})

COMMITMENT = StateMachine(
    entity="commitment",
    table=Commitment,
    log_prefix="commitment_",
    states={
        S.open.value: N_("Promised"), S.in_progress.value: N_("In progress"),
        S.reported_done.value: N_("Reported done"), S.verified.value: N_("Done and verified"),
        S.extended.value: N_("Extended"), S.cancelled.value: N_("Cancelled"), S.disputed.value: N_("Disputed"),
    },
    actions=StateMachine.define(
        Action("record", frozenset({""}), S.open.value, N_("recorded a commitment"), public=N_("Commitment made")),
        Action("start", frozenset({S.open.value, S.extended.value}), S.in_progress.value, N_("started the work"),
               public=N_("Work started")),
        Action("report_done", frozenset({S.open.value, S.in_progress.value, S.extended.value}),
               S.reported_done.value, N_("reported the commitment done"), public=N_("Reported done by the agency")),
        Action("verify", frozenset({S.reported_done.value}), S.verified.value, N_("verified the commitment"),
               public=N_("Verified by the organisers")),
        Action("dispute", frozenset({S.reported_done.value, S.verified.value}), S.disputed.value,
               N_("disputed the report"),
               public=N_("The report was disputed: the work is reopened")),
        Action("resume", frozenset({S.disputed.value}), S.in_progress.value, N_("took the work up again"),
               public=N_("Work taken up again")),
        Action("extend", frozenset({S.open.value, S.in_progress.value, S.extended.value, S.disputed.value}),
               S.extended.value, N_("extended the due date"), public=N_("Due date extended")),
        Action("cancel", LIVE, S.cancelled.value, N_("cancelled the commitment"), public=N_("Cancelled")),
    ),
    sets={
        "live": LIVE,  # still to be done: it can fall overdue
        "settled": frozenset({S.verified.value, S.cancelled.value}),
        "takes_progress": LIVE,  # agencies may post progress notes
        # the asker may confirm or dispute the work: it is reported done, or verified
        "confirmable": frozenset({S.reported_done.value, S.verified.value}),
        "disputed": frozenset({S.disputed.value}),  # put in front of the organisers and the lead agency
    },
)

# Who may take each step, and on which agencies of the commitment. "lead": the lead agency's officers
# and head; "partners": the lead or a cooperating agency; "organisers": the conference unit's
# organisers; "inspectors": the unit's inspectors (a surprise re-inspection that finds the work not done
# disputes it, dialogue/inspections). Admins may do everything. Asked by followup.py and by the pages.
LEAD, PARTNERS, ORGANISERS, INSPECTORS = "lead", "partners", "organisers", "inspectors"
WHO = {
    "start": frozenset({LEAD}),
    "report_done": frozenset({LEAD}),
    "progress": frozenset({PARTNERS}),
    "resume": frozenset({LEAD, ORGANISERS}),
    "verify": frozenset({ORGANISERS}),
    "dispute": frozenset({ORGANISERS, INSPECTORS}),
    "extend": frozenset({ORGANISERS}),
    "cancel": frozenset({ORGANISERS}),
}

# A progress note is not a change of state, but it is logged and shown publicly like one.
PROGRESS = "commitment_progress"
declare_action(PROGRESS, N_("posted a progress note"), N_("Progress note"))
EVIDENCE = "commitment_evidence"
declare_action(EVIDENCE, N_("attached evidence"), N_("Evidence attached"))

# The asker's "yes, it was done" through the confirmation link: logged and public, no change of state.
CONFIRMED = "commitment_confirmed"
declare_action(CONFIRMED, N_("confirmed the work was done"), N_("The asker confirmed the work was done"))

declare("commitment_outcome", {
    Commitment.Outcome.kept.value: N_("Kept"), Commitment.Outcome.partly_kept.value: N_("Partly kept"),
    Commitment.Outcome.not_kept.value: N_("Not kept"),
})
