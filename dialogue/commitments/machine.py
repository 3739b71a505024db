"""A commitment's life, declared once. This branch records commitments (state open); the
follow-up builds the rest of the life cycle on the same machine.

(record) ─► open ─► in progress ─► reported done ─► verified
             │  └──────┬──────────────┘    │
             │         ▼                   └► disputed ─► in progress
             ├► extended (a new due date) ─► in progress / reported done
             └► cancelled (also from in progress, extended, disputed)
"""

from __future__ import annotations

from dialogue.commitments.tables import Commitment
from dialogue.core.vocabulary import N_
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
        Action("start", frozenset({S.open.value, S.extended.value}), S.in_progress.value, N_("started the work")),
        Action("report_done", frozenset({S.open.value, S.in_progress.value, S.extended.value}),
               S.reported_done.value, N_("reported the commitment done")),
        Action("verify", frozenset({S.reported_done.value}), S.verified.value, N_("verified the commitment")),
        Action("dispute", frozenset({S.reported_done.value}), S.disputed.value, N_("disputed the report")),
        Action("resume", frozenset({S.disputed.value}), S.in_progress.value, N_("took the work up again")),
        Action("extend", frozenset({S.open.value, S.in_progress.value, S.disputed.value}), S.extended.value,
               N_("extended the due date")),
        Action("cancel", LIVE, S.cancelled.value, N_("cancelled the commitment")),
    ),
    sets={
        "live": LIVE,  # still to be done
        "settled": frozenset({S.verified.value, S.cancelled.value}),
    },
)
