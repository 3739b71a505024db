"""The action log names what it shows: staff by name, objects by title or code with a link to their
staff page, never "staff_user 1" or "question 45"."""

import re

from dialogue.demo import load_demo
from dialogue.questions import intake, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.pinned import NOW, TODAY
from tests.test_screening import BASE, actor


def cells(html: str) -> list[str]:
    """The object cells of the log table, as text with their links."""
    return [re.sub(r"\s+", " ", row[-1]).strip() for row in (
        re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S) for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S)) if row]


async def test_the_log_names_objects_and_links_their_pages(demo_db, demo_client):
    await load_demo(TODAY)
    question = await Question.select().where(Question.title == "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn").first()
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    await screening.decide(organiser, question["id"], "accept", {}, NOW, BASE)
    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    agency = await Agency.select().where(Agency.short_name == "VH-XH").first()
    await post_form(demo_client, f"/admin/agencies/{agency['id']}", {
        "name": agency["name"], "short_name": "VHXH", "unit": "00235", "email": "", "active": "yes"},
        page=f"/admin/agencies/{agency['id']}")
    for url in ("/admin/log", "/admin/"):
        page = (await demo_client.get(url)).text
        objects = cells(page)
        assert objects and not any(re.match(r"^(staff_user|question|agency|conference|topic) \d+$", o) for o in objects)
        assert f'<a href="/organiser/questions/{question["id"]}">' \
               f'{intake.display_code(question["tracking_code"])} · {question["title"]}</a>' in page
        assert '<a href="/admin/accounts/1">Quản trị hệ thống</a>' in page  # signed in
        assert f'<a href="/admin/agencies/{agency["id"]}">{agency["name"]}</a>' in page
    assert (await demo_client.get(f"/organiser/questions/{question['id']}")).status_code == 200  # the link opens


async def test_a_published_answer_is_one_line_of_the_log(demo_db, demo_client):
    from dialogue.answers import drafting
    from dialogue.conferences.tables import Conference
    from dialogue.questions import routing

    await load_demo(TODAY)
    await Conference.update({Conference.release_policy: "on_approval"}).where(Conference.id > 0)
    question = await Question.select().where(Question.title == "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn").first()
    now = NOW
    await routing.accept_and_route(await actor(DEMO_ACCOUNTS["organiser"]), [question["id"]], now, BASE)
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    await drafting.save_draft(officer, question["id"], {"body": "Phường sẽ nạo vét cống trong tháng."}, now)
    await drafting.submit(officer, question["id"], now)
    await drafting.review(await actor(DEMO_ACCOUNTS["agency_head"]), question["id"], "approve", "", now, BASE)
    await sign_in(demo_client, DEMO_ACCOUNTS["admin"])
    page = (await demo_client.get("/admin/log")).text
    assert page.count("Phạm Thu Hà đã công bố câu trả lời") == 1
