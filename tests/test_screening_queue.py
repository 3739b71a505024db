"""The organiser's screening tools: the main question the merge form proposes, the queue's bulk
actions (accept and route, reject, merge) through the single actions' services, and the queue's
marks on likely duplicates."""

import datetime as dt
import re

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.questions import intake, queries, screening
from dialogue.questions.tables import Question
from tests.conftest import DEMO_ACCOUNTS, sign_in

BASE = "https://doithoai.example.vn"
FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"  # the first the demo received
FLOOD_REORDERED = "Ngõ 120 Hoàng Cầu bị ngập khi mưa to"  # the second
FLOOD_NO_ACCENTS = "ngap ung ngo 120 hoang cau"  # the third
DRAINS = "Cống thoát nước ngõ 120 Hoàng Cầu tắc, mưa là ngập"  # the fourth


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


async def question_titled(title: str) -> dict:
    return await Question.select().where(Question.title == title).first()


async def code_of(title: str) -> str:
    return (await question_titled(title))["tracking_code"]


@pytest.fixture
async def demo(demo_db):
    await load_demo(dt.date.today())
    return demo_db


async def proposed_main(client, title: str) -> str:
    """The tracking code the merge form of this question's page proposes."""
    page = await client.get(f"/organiser/questions/{(await question_titled(title))['id']}")
    assert page.status_code == 200
    found = re.search(r'<input[^>]*id="main"[^>]*>', page.text)
    value = re.search(r'value="([^"]*)"', found.group(0)) if found else None
    return intake.normalise_code(value.group(1)) if value else ""


async def test_the_merge_form_proposes_the_earliest_similar_question_that_can_take_others(demo, demo_client):
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    # The most similar to the fourth is the third; the main question is the first.
    assert await proposed_main(demo_client, DRAINS) == await code_of(FLOOD)
    assert await proposed_main(demo_client, "Chiếm dụng vỉa hè phố Tây Sơn") \
        == await code_of("Vỉa hè phố Tây Sơn bị chiếm dụng để xe và bán hàng")
    # Once the third is merged into the first, the first's page never proposes it back.
    await screening.merge(organiser, (await question_titled(FLOOD_NO_ACCENTS))["id"],
                          intake.display_code(await code_of(FLOOD)), "", now(), BASE)
    assert await proposed_main(demo_client, FLOOD) == await code_of(FLOOD_REORDERED)
    # A rejected question cannot take others: the next earliest is proposed.
    await screening.decide(organiser, (await question_titled(FLOOD))["id"], "reject",
                           {"category": "not_question", "reason": "Nhầm hội nghị."}, now(), BASE)
    assert await proposed_main(demo_client, DRAINS) == await code_of(FLOOD_REORDERED)
