"""Retention (privacy/retention.py): the askers' personal data of a conference followed up more than
RETENTION_MONTHS ago is erased, with its followers, and the public record stays exactly as it was.

Three conferences of the demo ward: A, the demo's concluded conference with its answers and
commitments, followed up on the suite's day; B, another one followed up a month later; C, in session.
The clock then moves to 24 months and a day after A's follow-up: A is past its retention, B (23
months) and C (not followed up) are not."""

import asyncio
import dataclasses
import datetime as dt
import subprocess
import sys

import pytest

from dialogue.agenda import commands as agenda_commands
from dialogue.answers.tables import Answer
from dialogue.commitments.tables import Commitment
from dialogue.conferences.tables import Conference
from dialogue.core.settings import PROJECT_ROOT
from dialogue.demo.session import QUESTIONS as BUSINESS_QUESTIONS
from dialogue.demo.session import conference_in_session, load_session_demo
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxMessage
from dialogue.privacy import retention
from dialogue.questions import tracking
from dialogue.questions.intake import display_code
from dialogue.questions.tables import Follower, Question
from tests.conftest import DEMO_ACCOUNTS
from tests.pinned import NOW, TODAY
from tests.test_accountability import actor, concluded_record

BASE = "https://testserver.local"
B_FOLLOWED_UP = dt.datetime(2027, 1, 8, 3, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2028, 12, 8, 3, 0, tzinfo=dt.UTC)  # 24 months and a day after NOW; 23 months after B's
PERSONAL = ("asker_name", "asker_email", "asker_phone", "organisation_name", "tax_code", "submitted_from")


async def follow_up(conference_id: int, at: dt.datetime) -> None:
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    await agenda_commands.change_conference_state(organiser, conference_id, "follow_up", at, "", BASE)


async def questions_of(conference_id: int) -> list[dict]:
    return await Question.select().where(Question.conference == conference_id).order_by(Question.id)


async def follow(question: dict, email: str) -> None:
    await tracking.request_follow(display_code(question["tracking_code"]), email, "vi", NOW, BASE)


@pytest.fixture
async def ward(concluded_ward) -> dict:
    await follow_up(concluded_ward["a"], NOW)
    await follow_up(concluded_ward["b"], B_FOLLOWED_UP)
    return concluded_ward


@pytest.fixture
async def concluded_ward(demo_db) -> dict:
    """A and B concluded, not yet followed up; C in session; followers on each."""
    record = await concluded_record(demo_db)
    a = record["conference"]["id"]
    unit = record["conference"]["unit"]
    # B: held and concluded two months ago (concluding by publishing its documents is tested elsewhere)
    b = (await conference_in_session(unit, "Hội nghị đối thoại với hộ kinh doanh phố Xã Đàn", "businesses",
                                     dt.datetime.combine(TODAY - dt.timedelta(days=60), dt.time(1), dt.UTC),
                                     BUSINESS_QUESTIONS[:3], "Đối thoại với hộ kinh doanh.", "xadan"))["id"]
    await Conference.update({Conference.state: "concluded"}).where(Conference.id == b)
    await load_session_demo(unit, TODAY)  # C: in session
    c = (await Conference.select(Conference.id).where(Conference.state == "in_session").first())["id"]
    # a neighbour follows a question of each (one of A's twice: two people)
    for conference_id in (a, b, c):
        await follow((await questions_of(conference_id))[0], f"hang.xom.{conference_id}@example.vn")
    await follow((await questions_of(a))[1], "nguoi.khac@example.vn")
    return {"a": a, "b": b, "c": c, "record": record, "settings": demo_db}


async def public_surfaces(client, conference_id: int) -> dict[str, str]:
    """Every public page and API answer about the conference's questions, answers and commitments."""
    paths = [f"/conferences/{conference_id}", f"/conferences/{conference_id}/results",
             f"/conferences/{conference_id}/results.csv", f"/api/v1/conferences/{conference_id}",
             f"/api/v1/questions?conference={conference_id}", "/api/v1/commitments", "/api/v1/answers"]
    for question in await questions_of(conference_id):
        code = display_code(question["tracking_code"])
        paths += [f"/q/{code}", f"/api/v1/questions/{code}", f"/api/v1/questions/{code}/answer"]
    pages = {}
    for path in paths:
        response = await client.get(path)
        pages[path] = f"{response.status_code} {response.headers.get('etag', '')} {response.text}"
    return pages


async def everything_of(conference_id: int) -> dict:
    questions = await questions_of(conference_id)
    ids = [q["id"] for q in questions]
    return {
        "questions": questions,
        "followers": await Follower.select().where(Follower.question.is_in(ids)).order_by(Follower.id),
        "answers": await Answer.select().where(Answer.question.is_in(ids)).order_by(Answer.id),
        "commitments": await Commitment.select().where(Commitment.conference == conference_id).order_by(Commitment.id),
    }


async def test_askers_data_goes_after_the_retention_and_the_public_record_stays(ward, demo_client, clock):
    a_questions = await questions_of(ward["a"])
    followers = {f"hang.xom.{ward['a']}@example.vn", "nguoi.khac@example.vn"}
    addresses = {q[field] for q in a_questions for field in ("asker_email", "asker_phone") if q[field]} | followers
    assert await OutboxMessage.count().where(OutboxMessage.to_address.is_in(sorted(addresses))) >= len(a_questions)
    # a day before the end of A's 24 months, nothing is due
    clock.now = LATER - dt.timedelta(days=2)
    assert await retention.tick(clock(), ward["settings"]) == {retention.ERASED: 0, retention.FOLLOWERS: 0}

    clock.now = LATER
    before = {"b": await everything_of(ward["b"]), "c": await everything_of(ward["c"])}
    a_before = await everything_of(ward["a"])
    public_before = await public_surfaces(demo_client, ward["a"])
    done = await retention.tick(clock(), ward["settings"])
    assert done == {retention.ERASED: len(a_questions), retention.FOLLOWERS: 2}

    a_after = await everything_of(ward["a"])
    for question, was in zip(a_after["questions"], a_before["questions"], strict=True):
        assert {field: question[field] for field in PERSONAL} == dict.fromkeys(PERSONAL, "")
        assert question["notify_by"] == "none" and question["personal_data_erased_at"] == LATER
        # what the organisers published, and the question's own life, are untouched
        keep = set(question) - set(PERSONAL) - {"notify_by", "personal_data_erased_at", "tax_code_unverified"}
        assert {k: question[k] for k in keep} == {k: was[k] for k in keep}
    assert a_after["followers"] == []
    assert (a_after["answers"], a_after["commitments"]) == (a_before["answers"], a_before["commitments"])
    # no copy of a message to an asker or a follower keeps their address or the words sent
    assert await OutboxMessage.count().where(OutboxMessage.to_address.is_in(sorted(addresses))) == 0
    for secret in ward["record"]["private"]:
        assert await OutboxMessage.count().where(
            OutboxMessage.text_body.like(f"%{secret}%") | OutboxMessage.to_address.like(f"%{secret}%")) == 0, secret
    # the public record reads exactly as before, page by page and in the API
    assert await public_surfaces(demo_client, ward["a"]) == public_before
    # B (23 months) and C (never followed up) are untouched, their followers too
    assert {"b": await everything_of(ward["b"]), "c": await everything_of(ward["c"])} == before
    assert len(before["b"]["followers"]) == len(before["c"]["followers"]) == 1
    entries = await ActionLog.select().where(ActionLog.action == "personal_data_erased")
    assert {(e["actor_kind"], e["actor_ref"], e["reason"]) for e in entries} == {("system", "retention", "retention")}
    assert sorted(int(e["object_id"]) for e in entries) == [q["id"] for q in a_questions]


async def test_running_again_changes_nothing_and_each_run_is_bounded(ward, clock):
    a_questions = await questions_of(ward["a"])
    clock.now = LATER
    first = await retention.tick(clock(), ward["settings"], limit=3)
    assert first[retention.ERASED] == 3
    assert await Question.count().where(Question.personal_data_erased_at.is_not_null()) == 3
    while any((await retention.tick(clock(), ward["settings"], limit=3)).values()):
        pass
    assert await Question.count().where(Question.personal_data_erased_at.is_not_null()) == len(a_questions)

    snapshot = (await Question.select().order_by(Question.id), await Follower.select().order_by(Follower.id),
                await OutboxMessage.select().order_by(OutboxMessage.id), await ActionLog.count())
    clock.advance(days=7)  # B is still short of its 24 months
    assert await retention.tick(clock(), ward["settings"]) == {retention.ERASED: 0, retention.FOLLOWERS: 0}
    assert (await Question.select().order_by(Question.id), await Follower.select().order_by(Follower.id),
            await OutboxMessage.select().order_by(OutboxMessage.id), await ActionLog.count()) == snapshot
    # A is marked done once: later runs no longer read its questions, only followers who come later
    marks = await ActionLog.select(ActionLog.object_id).where(ActionLog.action == retention.CONFERENCE_DONE)
    assert marks == [{"object_id": str(ward["a"])}]
    await follow(a_questions[2], "den.sau@example.vn")
    assert await retention.tick(clock(), ward["settings"]) == {retention.ERASED: 0, retention.FOLLOWERS: 1}
    assert await Follower.count().where(Follower.question == a_questions[2]["id"]) == 0
    assert await ActionLog.count().where(ActionLog.action == retention.CONFERENCE_DONE) == 1


async def test_two_processes_at_once_erase_each_question_once(ward, clock):
    clock.now = LATER
    runs = await asyncio.gather(*(retention.tick(clock(), ward["settings"]) for _ in range(2)))
    a_questions = await questions_of(ward["a"])
    assert sum(run[retention.ERASED] for run in runs) == len(a_questions)
    assert sum(run[retention.FOLLOWERS] for run in runs) == 2
    assert await ActionLog.count().where(ActionLog.action == "personal_data_erased") == len(a_questions)
    assert await ActionLog.count().where(ActionLog.action == "followers_deleted") == 2  # one per question


async def test_the_number_of_months_is_the_setting(ward, clock):
    clock.now = LATER
    shorter = dataclasses.replace(ward["settings"], retention_months=23)
    done = await retention.tick(clock(), shorter)
    a, b = await questions_of(ward["a"]), await questions_of(ward["b"])
    assert done == {retention.ERASED: len(a) + len(b), retention.FOLLOWERS: 3}
    assert all(q["personal_data_erased_at"] == LATER for q in a + b)
    assert all(q["asker_name"] for q in await questions_of(ward["c"]))
    longer = dataclasses.replace(ward["settings"], retention_months=36)
    assert await retention.pending(clock(), longer) == {"conferences": 0, retention.ERASED: 0, retention.FOLLOWERS: 0}


def cli(settings, *args: str, months: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dialogue", "privacy", "retention", *args], cwd=PROJECT_ROOT,
                          env={"DATABASE_URL": settings.database_url, "RETENTION_MONTHS": months,
                               "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120)


async def test_the_command_says_what_it_would_do_and_does_it_with_retention_months(concluded_ward):
    ward = concluded_ward
    # the command reads the real clock: A was followed up 13 months before it, B 11
    now = dt.datetime.now(dt.UTC)
    await follow_up(ward["a"], retention.months_before(now, 13))
    await follow_up(ward["b"], retention.months_before(now, 11))
    a = await questions_of(ward["a"])

    dry = cli(ward["settings"], "--dry-run", months="12")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run, nothing changed" in dry.stdout and "(12 months): 1;" in dry.stdout
    assert f"askers' personal data to erase: {len(a)}; followers to delete: 2." in dry.stdout
    assert not any(q["personal_data_erased_at"] for q in await questions_of(ward["a"]))

    kept = cli(ward["settings"], months="24")
    assert kept.returncode == 0 and "askers' personal data erased: 0; followers deleted: 0." in kept.stdout
    done = cli(ward["settings"], months="12")
    assert done.returncode == 0, done.stderr
    assert f"askers' personal data erased: {len(a)}; followers deleted: 2." in done.stdout
    assert all(q["personal_data_erased_at"] and not q["asker_name"] for q in await questions_of(ward["a"]))
    assert all(q["asker_name"] for q in await questions_of(ward["b"]))
    again = cli(ward["settings"], months="12")
    assert "askers' personal data erased: 0; followers deleted: 0." in again.stdout
