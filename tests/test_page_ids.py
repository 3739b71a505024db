"""Every page, as every role sees it on the demo, has unique ids and labels that point at a field.

A duplicate id breaks a label (it names the first field with that id, not its own), the error
summary's links and the skip link. The crawl follows the site's own links from each role's home,
a few pages of each shape (one question page stands for all 42), and adds the pages only a form
error or a private link shows.
"""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers import attachments, drafting
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.questions import intake, routing, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
PER_SHAPE = 3  # pages crawled per address shape (digits stand for any id)
MAX_PAGES = 120  # per role
NOT_PAGES = ("/static/", "/language/", "/files/", "/sign-out", "calendar.ics", "/unsubscribe", "/confirm")


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id") is not None:
            self.ids.append(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.label_targets.append(attributes["for"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def problems(html: str) -> tuple[list[str], list[str]]:
    """(duplicate ids, labels pointing at no element)."""
    parser = Ids()
    parser.feed(html)
    duplicates = sorted(id_ for id_, n in Counter(parser.ids).items() if n > 1)
    dangling = sorted(set(parser.label_targets) - set(parser.ids))
    return duplicates, dangling


def test_the_checker_finds_duplicates_and_dangling_labels():
    html = '<main id="main"><label for="main">x</label><input id="main"><label for="gone">y</label></main>'
    assert problems(html) == (["main"], ["gone"])


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


async def crawl(client, starts: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """{address: its problems} for every page reached from `starts` by the site's own links."""
    seen_shapes: Counter = Counter()
    queue, visited, found = list(starts), set(), {}
    while queue and len(visited) < MAX_PAGES:
        url = urldefrag(queue.pop(0))[0]
        parts = urlsplit(url)
        if parts.netloc or not url.startswith("/") or url in visited or any(n in url for n in NOT_PAGES):
            continue
        visited.add(url)
        response = await client.get(url)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        bad = problems(response.text)
        if bad != ([], []):
            found[url] = bad
        parser = Ids()
        parser.feed(response.text)
        for link in parser.links:
            link_shape = shape(urldefrag(link)[0])
            if link not in visited and seen_shapes[link_shape] < PER_SHAPE:
                seen_shapes[link_shape] += 1
                queue.append(link)
    assert len(visited) > len(starts), "the crawl found no links"
    return found


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


@pytest.fixture
async def lived_in_demo(demo_db):
    """The demo with a question in each stage: routed with a contributor, drafted with a file, submitted."""
    await load_demo(TODAY)
    organiser, officer = await actor(DEMO_ACCOUNTS["organiser"]), await actor(DEMO_ACCOUNTS["agency_officer"])
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    ca = await Agency.select(Agency.id).where(Agency.short_name == "CA").first()
    flood = await Question.select().where(Question.title == "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn").first()
    await screening.decide(organiser, flood["id"], "accept", {}, NOW, BASE)
    await routing.assign(organiser, flood["id"], {"lead_agency": str(kt["id"])}, NOW, BASE,
                         lists={"contributing": [str(ca["id"])]})
    await drafting.save_draft(officer, flood["id"], {"body": "Phường sẽ nạo vét cống.", "legal_basis": ""}, NOW)
    await attachments.attach(officer, flood["id"], "ke-hoach.pdf", b"%PDF-1.4\n%%EOF\n", NOW)
    await drafting.submit(officer, flood["id"], NOW)
    return flood


ROLES = ["admin", "organiser", "secretary", "agency_officer", "agency_head", "viewer", "data_protection"]


@pytest.mark.parametrize("role", [None, *ROLES])
async def test_every_page_has_unique_ids_and_labelled_fields(lived_in_demo, demo_client, role):
    flood = lived_in_demo
    code = intake.display_code(flood["tracking_code"])
    starts = ["/", "/conferences", f"/q/{code}", f"/q/{code}/manage/{flood['tracking_code']}-demo", "/sign-in"]
    if role:
        await sign_in(demo_client, DEMO_ACCOUNTS[role])
        starts = ["/staff", "/account/password", *starts]
    assert await crawl(demo_client, starts) == {}


async def test_pages_with_form_errors_have_unique_ids(lived_in_demo, demo_client):
    """The organiser's question page carries several forms; a failed one must not clash with the rest."""
    await sign_in(demo_client, DEMO_ACCOUNTS["organiser"])
    other = await Question.select().where(Question.title == "Đèn chiếu sáng ngõ 35 Thái Hà hỏng đã ba tháng").first()
    page = f"/organiser/questions/{other['id']}"
    for action, form in (("reject", {"category": "", "reason": ""}), ("forward", {"forwarded_to": "", "reason": ""}),
                         ("merge", {"main": "KHONG-CO", "reason": ""})):
        response = await post_form(demo_client, f"{page}/{action}", form, page=page)
        assert response.status_code == 400, action
        assert problems(response.text) == ([], []), action
        for target in re.findall(r'<div class="error-summary".*?</div>', response.text, re.S):
            for anchor in re.findall(r'href="#([^"]+)"', target):
                assert f'id="{anchor}"' in response.text, (action, anchor)  # each error link reaches its field


async def test_the_question_form_with_errors_has_unique_ids(lived_in_demo, demo_client):
    ask = f"/conferences/{lived_in_demo['conference']}/ask"
    response = await post_form(demo_client, ask, {"asker_kind": "resident", "title": "x"})
    assert response.status_code == 400
    assert problems(response.text) == ([], [])
