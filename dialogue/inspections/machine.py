"""An inspection round's life, declared once.

(plan: the sample drawn) ─► planned ─► in progress (the first visit recorded) ─► closed (report frozen, public)

Until it is closed a round is unannounced: only the unit's inspectors and organisers (and admins)
see it; no agency is told, and nothing of it reaches a public page or an e-mail.
"""

from __future__ import annotations

from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.inspections.tables import InspectionItem, InspectionRound
from dialogue.machine.transitions import Action, StateMachine

S = InspectionRound.State
F = InspectionItem.Finding

ROUND = StateMachine(
    entity="inspection_round",
    table=InspectionRound,
    log_prefix="inspection_",
    states={S.planned.value: N_("Planned"), S.in_progress.value: N_("Visits under way"),
            S.closed.value: N_("Closed, report published")},
    actions=StateMachine.define(
        Action("plan", frozenset({""}), S.planned.value, N_("planned a surprise inspection round")),
        Action("start", frozenset({S.planned.value}), S.in_progress.value, N_("recorded the round's first visit")),
        Action("close", frozenset({S.in_progress.value}), S.closed.value,
               N_("closed the inspection round and froze its report")),
    ),
    sets={
        "takes_findings": frozenset({S.planned.value, S.in_progress.value}),
        "public": frozenset({S.closed.value}),
    },
)

FINDING = "inspection_finding"  # a visit recorded: not a change of the round's state, but logged
declare_action(FINDING, N_("recorded an inspection finding"))
FILE = "inspection_evidence"
declare_action(FILE, N_("attached evidence of a visit"))

declare("inspection_finding", {F.done.value: N_("Found done"), F.partly.value: N_("Found partly done"),
                               F.not_done.value: N_("Found not done")})
declare("inspection_how", {InspectionItem.How.drawn.value: N_("Drawn"),
                           InspectionItem.How.chosen.value: N_("Chosen")})

# What each finding leaves on the commitment's public timeline, written when the round is closed (see
# rounds.close). A "not done" also disputes the commitment then, in the same transaction: the work reopens.
INSPECTED = {
    F.done.value: "commitment_inspected_done",
    F.partly.value: "commitment_inspected_partly",
    F.not_done.value: "commitment_inspected_not_done",
}
declare_action(INSPECTED[F.done.value], N_("recorded a surprise inspection: found done"),
               N_("Surprise re-inspection: found done"))
declare_action(INSPECTED[F.partly.value], N_("recorded a surprise inspection: found partly done"),
               N_("Surprise re-inspection: found partly done"))
declare_action(INSPECTED[F.not_done.value], N_("recorded a surprise inspection: found not done"),
               N_("Surprise re-inspection: found not done"))
FINDINGS = tuple(f.value for f in F)
