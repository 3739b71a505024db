"""Retention: the askers' personal data of a conference is erased `settings.retention_months` (24 by
default) after the conference was followed up, the moment its "follow_up" step is in the action log.

What goes is what erasure.erase_personal_data takes (names, contacts, business name and tax code,
network address, the askers' copies of messages), and the followers of those questions with their
copies; the public question, its answer and commitments stay, as Law 10/2022 makes them public.
The scheduled job runs `tick` (web/app.py, run_reminders); `python -m dialogue privacy retention`
runs it by hand. Each question is its own transaction, its row locked first, so two processes never
erase one twice; a run takes at most BATCH questions, the next run goes on, and a conference with
nothing left is marked so that later runs do not read its questions again."""

from __future__ import annotations

import calendar
import datetime as dt

from dialogue.conferences.machine import CONFERENCE
from dialogue.conferences.tables import Conference
from dialogue.core.db import current_engine, write_transaction
from dialogue.core.settings import Settings
from dialogue.core.vocabulary import N_, declare_action
from dialogue.machine import log
from dialogue.machine.actors import Actor
from dialogue.machine.log import ActionLog
from dialogue.privacy.erasure import erase_personal_data, forget_messages
from dialogue.questions.tables import Follower, Question

BATCH = 500  # questions per run: a run is short, the next one goes on
ACTOR = Actor.system("retention")
REASON = "retention"  # the erasure's reason in the action log
ERASED, FOLLOWERS = "retention_erased", "retention_followers_deleted"  # what tick counts
FOLLOWERS_DELETED = "followers_deleted"
declare_action(FOLLOWERS_DELETED, N_("deleted the e-mail addresses of the question's followers"))
# Written on a conference once none of its askers' data is left: later runs look no more at its
# questions (an erased question never gets its data back, a followed-up conference takes no new
# ones), only at followers who may come later.
CONFERENCE_DONE = "personal_data_retention_done"
declare_action(CONFERENCE_DONE, N_("erased the personal data of every asker of the conference (retention)"))


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same moment `months` calendar months earlier (31 March less one month: the last of February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    return moment.replace(year=year, month=month + 1, day=min(moment.day, calendar.monthrange(year, month + 1)[1]))


async def expired_conferences(now: dt.datetime, months: int) -> list[int]:
    """The conferences followed up at least `months` ago: state followed_up, and the last of their
    follow-up steps in the log on or before the cut-off."""
    cutoff = months_before(now, months)
    followed = await Conference.select(Conference.id).where(Conference.state == Conference.State.followed_up.value)
    if not followed:
        return []
    steps = await ActionLog.select(ActionLog.object_id, ActionLog.at).where(
        (ActionLog.object_type == "conference") & (ActionLog.action == CONFERENCE.logged_as("follow_up"))
        & ActionLog.object_id.is_in([str(row["id"]) for row in followed]))
    last: dict[int, dt.datetime] = {}
    for step in steps:
        conference_id = int(step["object_id"])
        last[conference_id] = max(step["at"], last.get(conference_id, step["at"]))
    return sorted(conference_id for conference_id, at in last.items() if at <= cutoff)


async def _finished(conferences: list[int]) -> set[int]:
    """Those of these conferences already marked done."""
    rows = await ActionLog.select(ActionLog.object_id).where(
        (ActionLog.action == CONFERENCE_DONE) & (ActionLog.object_type == "conference")
        & ActionLog.object_id.is_in([str(conference_id) for conference_id in conferences] or ["0"]))
    return {int(row["object_id"]) for row in rows}


def _holding(conferences: list[int]):
    return Question.conference.is_in(conferences or [0]) & Question.personal_data_erased_at.is_null()


async def _due(expired: list[int], unfinished: list[int], limit: int) -> list[int]:
    """At most `limit` questions, in id order: those of the unfinished conferences that still hold an
    asker's data, and those of any expired conference that have followers."""
    held = await Question.select(Question.id).where(_holding(unfinished)).order_by(Question.id).limit(limit)
    followed = await Follower.select(Follower.question).where(Follower.question.conference.is_in(expired or [0])) \
        .order_by(Follower.question).distinct().limit(limit)
    return sorted({row["id"] for row in held} | {row["question"] for row in followed})[:limit]


async def _mark_finished(unfinished: list[int], now: dt.datetime) -> None:
    """Mark done the unfinished conferences none of whose questions holds an asker's data any more."""
    still = {row["conference"] for row in await Question.select(Question.conference).where(
        _holding(unfinished)).distinct()}
    finished = [conference_id for conference_id in unfinished if conference_id not in still]
    if finished:
        async with write_transaction():
            for conference_id in finished:
                await log.record(ACTOR, CONFERENCE_DONE, "conference", conference_id, at=now, reason=REASON)


async def _retire(question_id: int, now: dt.datetime) -> tuple[int, int]:
    """Erase one question's asker data and delete its followers, in one transaction. Returns (1 if the
    asker's data was erased here, followers deleted)."""
    async with write_transaction():
        query = Question.select().where(Question.id == question_id)
        if current_engine().engine_type == "postgres":
            # Another process erasing the same question waits here, then finds it erased.
            query = query.lock_rows()  # SQLite: the write transaction already holds the only write lock
        question = await query.first()
        if question is None:
            return 0, 0
        erased = await erase_personal_data(question, actor=ACTOR, now=now, reason=REASON)
        followers = await Follower.select(Follower.email).where(Follower.question == question_id)
        if followers:
            await forget_messages(sorted({row["email"] for row in followers}), question["tracking_code"])
            await Follower.delete().where(Follower.question == question_id)
            await log.record(ACTOR, FOLLOWERS_DELETED, "question", question_id, at=now, reason=REASON,
                             details={"count": len(followers)})
    return int(erased), len(followers)


async def tick(now: dt.datetime, settings: Settings, limit: int = BATCH) -> dict[str, int]:
    """One run: at most `limit` questions. Returns how many askers' data it erased and how many
    followers it deleted."""
    done = {ERASED: 0, FOLLOWERS: 0}
    expired = await expired_conferences(now, settings.retention_months)
    if not expired:
        return done
    finished = await _finished(expired)
    unfinished = [conference_id for conference_id in expired if conference_id not in finished]
    for question_id in await _due(expired, unfinished, limit):
        erased, followers = await _retire(question_id, now)
        done[ERASED] += erased
        done[FOLLOWERS] += followers
    if unfinished:
        await _mark_finished(unfinished, now)
    return done


async def pending(now: dt.datetime, settings: Settings) -> dict[str, int]:
    """What runs would do now, all of it (not one batch): the conferences past their retention, the
    askers' data and the followers still held in them. Writes nothing."""
    expired = await expired_conferences(now, settings.retention_months)
    if not expired:
        return {"conferences": 0, ERASED: 0, FOLLOWERS: 0}
    finished = await _finished(expired)
    return {
        "conferences": len(expired),
        ERASED: await Question.count().where(_holding([c for c in expired if c not in finished])),
        FOLLOWERS: await Follower.count().where(Follower.question.conference.is_in(expired)),
    }
