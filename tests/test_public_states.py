"""What the public sees of a question depends on its state, written out here by hand rather than
read from the machine: accepted, with the agency and answered, and only with the asker's consent.
Never a question still being screened, rejected, forwarded, joined into another, or withdrawn."""

import pytest

from dialogue.conferences.tables import Conference
from dialogue.demo import load_demo
from dialogue.demo.questions import QUESTIONS
from dialogue.questions import intake, queries
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question
from tests.pinned import TODAY

PUBLIC_STATES = {"accepted", "assigned", "answered"}
EVERY_STATE = ["submitted", "accepted", "assigned", "answered", "rejected", "forwarded", "merged", "withdrawn"]


@pytest.fixture
async def questions_in_every_state(demo_db) -> dict[str, dict]:
    """One question the asker agreed to show in each state, and one accepted without consent ("private")."""
    await load_demo(TODAY)
    consenting = [title for (_kind, _name, _topic, title, _body, _session, public) in QUESTIONS if public]
    private = next(title for (_kind, _name, _topic, title, _body, _session, public) in QUESTIONS if not public)
    chosen = {}
    for state, title in [*zip(EVERY_STATE, consenting, strict=False), ("private", private)]:
        await Question.update({Question.state: "accepted" if state == "private" else state}) \
            .where(Question.title == title)
        chosen[state] = await Question.select().where(Question.title == title).first()
    return chosen


def test_the_machine_declares_exactly_the_public_states():
    assert set(QUESTION.sets["public"]) == PUBLIC_STATES


async def test_the_public_list_holds_only_public_states_with_consent(questions_in_every_state):
    conference = (await Conference.select(Conference.id).first())["id"]
    listed = {row["title"] for row in await queries.public_questions(conference)}
    chosen = questions_in_every_state
    assert {state for state, q in chosen.items() if q["title"] in listed} == PUBLIC_STATES
    assert all(row["state"] in PUBLIC_STATES for row in await queries.public_questions(conference))


async def test_the_conference_pages_show_only_public_questions(questions_in_every_state, demo_client):
    conference = (await Conference.select(Conference.id).first())["id"]
    for path in (f"/conferences/{conference}", f"/conferences/{conference}/ask"):
        page = (await demo_client.get(path)).text
        shown = {state for state, q in questions_in_every_state.items() if q["title"] in page}
        assert shown == PUBLIC_STATES, path


async def test_the_tracking_page_shows_the_text_only_in_public_states(questions_in_every_state, demo_client):
    for state, question in questions_in_every_state.items():
        page = (await demo_client.get(f"/q/{intake.display_code(question['tracking_code'])}")).text
        assert (question["title"] in page) == (state in PUBLIC_STATES), state
        assert (question["body"][:60] in page) == (state in PUBLIC_STATES), state
