"""The one way an entity changes state.

Each state machine (conference, question, answer, and those to come) declares here, once, its
states, its actions (from which states, to which state, the sentence the history shows, whether
the public sees it) and its named sets of states (public, editable, open…). Pages ask the machine
which actions an object allows; they never test a state's name.

`transition()` carries out one action: it checks the machine's table and the actor's permission on
the object, compare-and-sets the state, appends the action log entry, runs the command's own extra
writes, queues the e-mails the change causes and records the event live pages stream — all in one
transaction, or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from piccolo.table import Table

from dialogue.core.db import write_transaction
from dialogue.core.errors import Conflict, Forbidden
from dialogue.core.i18n import gettext as _
from dialogue.core.vocabulary import declare, declare_action
from dialogue.machine import events, log
from dialogue.machine.actors import Actor, ObjectScope, require
from dialogue.mail import outbox
from dialogue.mail.tables import OutboxMessage


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the command names it (undoing a merge returns to the state before)
    sentence: str  # the history's words after the actor's name, marked with N_
    public: str | None = None  # the public timeline's words, or None: staff only
    public_reason: bool = True  # False: the reason is an internal note the public timeline leaves out
    logged_as: str = ""  # the name in the action log (kept stable: old entries use it)


@dataclass(frozen=True)
class StateMachine:
    entity: str  # its name in the action log ("question") and its vocabulary ("question_state")
    table: type[Table]
    states: dict[str, str]  # state -> its label (N_)
    actions: dict[str, Action]
    sets: dict[str, frozenset[str]] = field(default_factory=dict)
    explained: dict[str, str] = field(default_factory=dict)  # state -> what it means for the asker
    log_prefix: str = ""  # "conference_": actions are logged as conference_open…
    # Writes that follow every change of state, whatever the action, in the same transaction: the
    # summaries a higher layer keeps of these objects (answers/facts.py). Added by that layer (watch).
    watchers: list[Writes] = field(default_factory=list)

    def __post_init__(self) -> None:
        for action in self.actions.values():
            unknown = (set(action.sources) | {action.target}) - set(self.states) - {None, ""}
            if unknown:
                raise ValueError(f"{self.entity}.{action.name} names unknown states: {sorted(unknown)}")
        for name, members in self.sets.items():
            if set(members) - set(self.states) - {""}:
                raise ValueError(f"{self.entity} set {name} names unknown states")
        declare(f"{self.entity}_state", self.states, self.explained)
        for action in self.actions.values():
            declare_action(self.logged_as(action.name), action.sentence, action.public, action.public_reason)

    def watch(self, writes: Writes) -> None:
        """Run `writes` (given the object as it now is) after every change of state, in its transaction."""
        if writes not in self.watchers:
            self.watchers.append(writes)

    @staticmethod
    def define(*actions: Action) -> dict[str, Action]:
        return {action.name: action for action in actions}

    def logged_as(self, action: str) -> str:
        return self.actions[action].logged_as or f"{self.log_prefix}{action}"

    def allows(self, state: str | None, action: str) -> bool:
        return action in self.actions and (state or "") in self.actions[action].sources

    def allowed(self, state: str | None) -> frozenset[str]:
        """The actions this state allows: what a page may offer (the permission is the actor's)."""
        return frozenset(name for name, action in self.actions.items() if (state or "") in action.sources)

    def is_in(self, set_name: str, state: str | None) -> bool:
        return (state or "") in self.sets[set_name]

    def target_of(self, state: str | None, action: str) -> str | None:
        """The state the action leads to from this one; Conflict if the machine does not allow it."""
        if not self.allows(state, action):
            raise Conflict(_("This cannot be done from the present state. Reload the page to see what changed."))
        return self.actions[action].target


Writes = Callable[[dict], Awaitable[Any]]  # extra writes, given the object as it now is
Mails = Callable[[dict], Awaitable[Iterable[OutboxMessage]]]  # the e-mails caused, given the object as it now is


async def transition(
    machine: StateMachine, actor: Actor, obj: dict, action: str, *, now: dt.datetime,
    permission: str | None, scope: ObjectScope | None = None, updates: dict | None = None,
    target: str | None = None, reason: str = "", details: dict | None = None, expect: dict | None = None,
    also: Writes | None = None, mails: Mails | None = None, log_object: tuple[str, Any] | None = None,
    channels: Iterable[str] = (),
) -> dict:
    """Carry out `action` on `obj` (a row of machine.table with its id and state) and return the
    row as it now is.

    `permission` is what the actor needs on `scope`; None is allowed only for a member of the public
    acting on their own question, which the caller proved with the secret link. `target` is for the
    few actions whose machine leaves the target to the command; `expect` adds columns to the
    compare-and-set (an answer's version). `also` and `mails` run inside the transaction with the
    object as it now is; a failure in either undoes the whole change."""
    if permission is None:
        if actor.kind != "public":
            raise Forbidden(_("You do not have permission to do this."))
    else:
        require(actor, permission, scope or ObjectScope())
    state = obj.get("state") or ""
    new_state = machine.target_of(state, action) or target
    if new_state is None:
        raise ValueError(f"{machine.entity}.{action} needs the command to name its target state")
    table = machine.table
    values = {**(updates or {}), "state": new_state}
    object_type, object_id = log_object or (machine.entity, obj["id"])
    async with write_transaction():
        condition = (table.id == obj["id"]) & (table.state == state)
        for column, value in (expect or {}).items():
            condition &= getattr(table, column) == value
        changed = await table.update({getattr(table, key): value for key, value in values.items()}) \
            .where(condition).returning(table.id)
        if not changed:
            raise Conflict(_("Someone else changed this at the same time. Reload the page to see what changed."))
        current = {**obj, **values}
        logged_as = machine.logged_as(action)
        await log.record(actor, logged_as, object_type, object_id, at=now, from_state=state, to_state=new_state,
                         reason=reason, details=details)
        if also is not None:
            await also(current)
        for writes in machine.watchers:
            await writes(current)
        if mails is not None:
            await outbox.add(*await mails(current))
        await events.record(now, [f"{object_type}:{object_id}", *channels], logged_as,
                            {"entity": machine.entity, "id": obj["id"], "from": state, "to": new_state})
    return current
