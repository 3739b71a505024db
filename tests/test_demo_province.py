"""The synthetic province (`dialogue demo province`), small: three communes for a year. Its rows hold
together (foreign keys, working days by the holiday table), its late agencies are late more often,
and a second run adds nothing."""

import sqlite3
from collections import Counter

import pytest

from dialogue.answers.tables import Answer
from dialogue.core.calendar import local_today
from dialogue.demo.province import TABLES, Options, load_province
from dialogue.demo.province_texts import DEPARTMENTS, LATE_DEPARTMENTS
from dialogue.questions import similarity
from dialogue.questions.tables import Assignment, Question, SimilarityEntry, SimilarityPhrase
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import Agency
from tests.pinned import TODAY

SMALL = Options(communes=3, years=1, per_conference=80, end=TODAY)


@pytest.fixture
async def province(db):
    counts = await load_province(db, SMALL, echo=lambda line: None)
    return db, counts


async def test_the_counts_are_those_of_a_small_province(province):
    _, counts = province
    assert counts["agency"] == len(DEPARTMENTS) + 3 * 5
    assert counts["staff_user"] == counts["agency"] + 3  # a head each, the city's organiser and leader, a commune's
    assert counts["topic"] == 14 and counts["conference"] == 3 * 4
    # Three quarters' conferences with 80 questions each, the newest one still receiving them.
    assert 3 * 3 * 80 <= counts["question"] <= 3 * 4 * 80
    assert 0.7 * counts["question"] <= counts["assignment"] <= counts["question"]
    assert 0.9 * counts["assignment"] <= counts["answer"] <= counts["assignment"]
    assert 0.1 * counts["answer"] <= counts["commitment"] <= 0.25 * counts["answer"]
    assert 0.1 * counts["answer"] <= counts["rating"] <= 0.3 * counts["answer"]
    assert counts["commitment_update"] > 0 and counts["inspection_round"] == 3 and counts["inspection_item"] > 0
    states = Counter(row["state"] for row in await Question.select(Question.state))
    assert states["answered"] > 0.6 * counts["question"]
    assert {"submitted", "assigned", "rejected", "forwarded", "merged", "withdrawn"} <= set(states)


async def test_answers_carry_their_day_and_working_days_by_the_calendar(province):
    calendar = await working_calendar()
    routed = {row["question"]: row["assigned_at"] for row in await Assignment.select(
        Assignment.question, Assignment.assigned_at).where(Assignment.role == "lead")}
    due = {row["id"]: row["answer_due_on"] for row in await Question.select(Question.id, Question.answer_due_on)}
    answers = await Answer.select(Answer.question, Answer.state, Answer.approved_at, Answer.answered_on,
                                  Answer.working_days)
    done = [a for a in answers if a["state"] in ("approved", "published")]
    assert len(done) > 0.8 * len(answers)
    for answer in done:
        assert answer["answered_on"] == local_today(answer["approved_at"])
        assert answer["working_days"] == calendar.working_days_between(
            local_today(routed[answer["question"]]), answer["answered_on"])
        assert due[answer["question"]] == calendar.add_working_days(routed[answer["question"]], 10)
    assert all(a["answered_on"] is None and a["working_days"] is None for a in answers if a not in done)
    answered = {row["id"] for row in await Question.select(Question.id).where(Question.state == "answered")}
    assert answered <= {a["question"] for a in answers if a["state"] == "published"}


async def test_the_late_agencies_are_late_more_often(province):
    late_names = {name for short, name, _, _ in DEPARTMENTS if short in LATE_DEPARTMENTS}
    names = {row["id"]: row["name"] for row in await Agency.select(Agency.id, Agency.name)}
    late, usual = Counter(), Counter()
    for answer in await Answer.select(Answer.agency, Answer.working_days).where(Answer.working_days.is_not_null()):
        tally = late if names[answer["agency"]] in late_names else usual
        tally["all"] += 1
        tally["late"] += answer["working_days"] > 10
    assert late["all"] >= 20
    assert late["late"] / late["all"] > 0.25 > 0.1 > usual["late"] / usual["all"]


async def test_a_second_run_adds_nothing_and_the_keys_hold(province):
    settings, counts = province
    assert await load_province(settings, SMALL, echo=lambda line: None) is None
    from dialogue.demo.province import open_sink

    sink = await open_sink(settings)
    try:
        assert {table: await sink.count(table) for table in TABLES} == counts
    finally:
        await sink.close()
    if settings.database_engine == "sqlite":  # PostgreSQL checked every key as the rows went in
        with sqlite3.connect(settings.sqlite_path) as connection:
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_its_similar_question_entries_are_those_a_rebuild_makes(province):
    """The generator writes each question's entry and phrases as a submission would (its texts'
    profiles computed once); they equal what similarity.rebuild() makes of the questions."""
    columns = (SimilarityEntry.question, SimilarityEntry.conference, SimilarityEntry.conference_unit,
               SimilarityEntry.main_question, SimilarityEntry.listed, SimilarityEntry.text, SimilarityEntry.profile)
    phrases = (SimilarityPhrase.question, SimilarityPhrase.phrase, SimilarityPhrase.conference_unit)
    written = await SimilarityEntry.select(*columns).order_by(SimilarityEntry.question)
    written_phrases = await SimilarityPhrase.select(*phrases).order_by(*phrases)
    assert len(written) == await Question.count().where(Question.state != "withdrawn")
    assert len({row["question"] for row in written_phrases}) == len(written)
    await similarity.rebuild()
    assert await SimilarityEntry.select(*columns).order_by(SimilarityEntry.question) == written
    assert await SimilarityPhrase.select(*phrases).order_by(*phrases) == written_phrases
    # The generator repeats a text with the same place in a conference: one lookup finds the other.
    seen: dict[tuple, dict] = {}
    for question in await Question.select().where(Question.state.is_in(["accepted", "assigned", "answered"])):
        key = (question["conference"], question["title"], question["body"])
        if key in seen:
            hints = {hint["id"] for hint in await similarity.similar(question)}
            assert seen[key]["id"] in hints or seen[key]["merged_into"] in hints
            break
        seen[key] = question
    else:
        pytest.fail("no text repeated within a conference")
