"""A personal-data request's life: received (acknowledged at once) → done or refused, with one
extension of its deadline on the way. Requests the system can carry out itself are done at once;
the others wait in the data-protection officer's queue."""

from __future__ import annotations

from dialogue.core.vocabulary import N_, declare, declare_action
from dialogue.machine.transitions import Action, StateMachine
from dialogue.privacy.tables import DataRequest

S = DataRequest.State
K = DataRequest.Kind

REQUEST = StateMachine(
    entity="data_request",
    table=DataRequest,
    states={S.received.value: N_("Received, being handled"), S.extended.value: N_("Deadline extended"),
            S.done.value: N_("Done"), S.refused.value: N_("Refused")},
    actions=StateMachine.define(
        Action("extend", frozenset({S.received.value}), S.extended.value, N_("extended the deadline")),
        Action("complete", frozenset({S.received.value, S.extended.value}), S.done.value,
               N_("carried out the request")),
        Action("refuse", frozenset({S.received.value, S.extended.value}), S.refused.value,
               N_("refused the request")),
    ),
    sets={"open": frozenset({S.received.value, S.extended.value})},
    log_prefix="data_request_",
)
declare_action("data_request_received", N_("made a personal-data request"))

declare("data_request_kind", {
    K.access.value: N_("See and download my data"),
    K.correction.value: N_("Correct my contact details"),
    K.withdraw_public.value: N_("Stop showing my question publicly"),
    K.withdraw_processing.value: N_("Withdraw my consent to processing"),
    K.erasure.value: N_("Erase my personal data"),
    K.objection.value: N_("Restrict or object to a processing"),
})
