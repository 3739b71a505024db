"""The personal data notice (/privacy) in Vietnamese and English: the controller, the legal bases, the
retention the settings give, the rights and how to exercise them, and the deadlines of privacy/rules.py;
each section reachable by its anchor; the question form links to it beside the consent boxes."""

import dataclasses
import re
from html import unescape

from dialogue.conferences.tables import Conference
from dialogue.privacy import rules
from tests.conftest import make_client

LAWS = ("10/2022/QH15", "42/2013/QH13", "20/2008/NĐ-CP", "91/2025/QH15", "356/2025/NĐ-CP")
ANCHORS = ("controller", "purposes", "legal-bases", "kept", "published", "recipients", "retention", "rights",
           "exercise", "deadlines")


def text_of(html: str) -> str:
    """The page as a reader reads it: tags gone, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, anchor: str) -> str:
    """The text from the heading with this id to the next heading."""
    start = html.index(">", html.index(f'id="{anchor}"')) + 1
    end = html.find("<h2", start)
    return text_of(html[start:end if end > 0 else None])


async def test_the_notice_in_vietnamese(demo_client):
    page = await demo_client.get("/privacy")
    assert page.status_code == 200 and '<html lang="vi"' in page.text
    html = page.text
    for anchor in ANCHORS:  # each section has its anchor, and the contents link to it
        assert html.count(f'id="{anchor}"') == 1 and f'href="#{anchor}"' in html, anchor
    assert "Ủy ban nhân dân xã, phường hoặc tỉnh" in section(html, "controller")
    assert "Mặt trận Tổ quốc" in section(html, "controller")
    assert "đường liên kết riêng" in section(html, "controller") and "tiếp công dân" in section(html, "controller")
    bases = section(html, "legal-bases")
    for law in LAWS:
        assert law in bases, law
    assert "Luật Thực hiện dân chủ ở cơ sở" in bases and "Luật Tiếp công dân" in bases and "sự đồng ý" in bases
    assert "không bao giờ được công khai" in section(html, "published")
    assert "nhà cung cấp dịch vụ SMS" in section(html, "recipients") and "Zalo" in section(html, "recipients")
    assert "sau 24 tháng kể từ khi" in section(html, "retention")
    assert "kết thúc theo dõi" in section(html, "retention")
    rights = section(html, "rights")
    for right in ("được biết", "nhận bản sao", "chỉnh sửa", "rút lại sự đồng ý công khai", "xóa", "hạn chế",
                  "phản đối", "khiếu nại"):
        assert right in rights, right
    exercise = section(html, "exercise")
    for way in ("Xem và tải dữ liệu của bạn", "Chỉnh sửa thông tin liên lạc", "Ngừng công khai câu hỏi",
                "Rút lại sự đồng ý xử lý dữ liệu", "Yêu cầu xóa dữ liệu", "gửi văn bản"):
        assert way.casefold() in exercise.casefold(), way
    deadlines = section(html, "deadlines")
    assert f"trong vòng {rules.ACKNOWLEDGE_DAYS} ngày làm việc" in deadlines
    assert f"Yêu cầu được trả lời trong vòng {rules.DUE_DAYS} ngày làm việc" in deadlines
    assert f"trong vòng {rules.DUE_DAYS_WITH_PROCESSOR} ngày làm việc" in deadlines
    assert f"gia hạn một lần, thêm {rules.EXTENSION_DAYS} ngày làm việc" in deadlines


async def test_the_notice_in_english_with_the_retention_of_the_settings(demo_db, clock):
    async with make_client(dataclasses.replace(demo_db, retention_months=36), clock) as client:
        await client.get("/language/en")
        html = (await client.get("/privacy")).text
    assert '<html lang="en"' in html
    controller = section(html, "controller")
    assert "People's Committee of the commune, ward or province" in controller and "Fatherland Front" in controller
    assert "data-protection officer" in controller and "citizen reception office" in controller
    bases = section(html, "legal-bases")
    for law in LAWS:
        assert law in bases, law
    assert "grassroots democracy" in bases and "citizen reception" in bases and "consent" in bases
    assert "erased 36 months after the conference's follow-up is completed" in section(html, "retention")
    assert "never published" in section(html, "published")
    exercise = section(html, "exercise")
    for way in ("see and download your data", "correct your contact details", "stop showing your question publicly",
                "withdraw consent to processing", "ask for erasure", "write to"):
        assert way in exercise, way
    deadlines = section(html, "deadlines")
    assert f"acknowledged within {rules.ACKNOWLEDGE_DAYS} working days" in deadlines
    assert f"answered within {rules.DUE_DAYS} working days" in deadlines
    assert f"within {rules.DUE_DAYS_WITH_PROCESSOR} working days" in deadlines
    assert f"extended once, by {rules.EXTENSION_DAYS} working days" in deadlines


async def test_the_question_form_links_to_it_beside_the_consent(demo_client):
    conference = (await Conference.select(Conference.id).first())["id"]
    page = (await demo_client.get(f"/conferences/{conference}/ask")).text
    consent = page[page.index('name="public_consent"'):page.index('name="data_consent"')]
    assert '<a href="/privacy">' in consent
