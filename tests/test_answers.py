"""Agencies answer: drafting, approval, returns, release by the conference's policy, the public view."""

import datetime as dt

import pytest

from dialogue.accounts.tables import StaffUser
from dialogue.answers import drafting, release
from dialogue.answers import queries as answer_queries
from dialogue.conferences.tables import Conference
from dialogue.core.errors import Conflict, Forbidden, InvalidInput
from dialogue.demo import load_demo
from dialogue.machine.actors import Actor
from dialogue.mail.tables import OutboxMessage
from dialogue.questions import intake, routing, screening
from dialogue.questions.tables import Question
from dialogue.reference.tables import Agency
from tests.conftest import DEMO_ACCOUNTS, post_form, sign_in
from tests.pinned import NOW, TODAY

BASE = "https://doithoai.example.vn"
FLOOD = "Ngập úng ngõ 120 Hoàng Cầu mỗi khi mưa lớn"
TEXT = {"body": "Phường đã đưa cống ngõ 120 Hoàng Cầu vào kế hoạch cải tạo quý I/2027.\n\nTrong thời gian chờ, "
                "công ty thoát nước nạo vét định kỳ hằng tháng.",
        "legal_basis": "Quyết định 123/QĐ-UBND ngày 01/11/2026"}


async def actor(email: str) -> Actor:
    return Actor.staff(await StaffUser.select().where(StaffUser.email == email).first())


def now() -> dt.datetime:
    return NOW  # pinned: the demo's questions arrived in the five days before it


@pytest.fixture
async def routed(demo_db):
    """The flood question, accepted and routed to the economy office, with the ward police contributing."""
    await load_demo(TODAY)
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    question = await Question.select().where(Question.title == FLOOD).first()
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    ca = await Agency.select(Agency.id).where(Agency.short_name == "CA").first()
    await screening.decide(organiser, question["id"], "accept", {}, now(), BASE)
    await routing.assign(organiser, question["id"], {"lead_agency": str(kt["id"])}, now(), BASE,
                           lists={"contributing": [str(ca["id"])]})
    return question


async def set_policy(policy: str) -> None:
    await Conference.update({Conference.release_policy: policy}).where(Conference.id > 0)


async def test_draft_approve_and_publish_at_once(routed):
    await set_policy("on_approval")
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    version = await drafting.save_draft(officer, routed["id"], TEXT, now())
    assert version == 1
    await drafting.submit(officer, routed["id"], now())
    with pytest.raises(Forbidden):  # an officer cannot approve
        await drafting.review(officer, routed["id"], "approve", "", now(), BASE)
    await drafting.review(head, routed["id"], "approve", "", now(), BASE)
    assert (await answer_queries.answer_of(routed["id"]))["state"] == "published"
    answer = await answer_queries.published_answer(routed["id"])
    assert answer.approver_role == "agency_head" and answer.legal_basis == TEXT["legal_basis"]
    assert (await Question.select(Question.state).where(Question.id == routed["id"]).first())["state"] == "answered"
    mail = await OutboxMessage.select().where(OutboxMessage.kind == "answer_published")
    assert len(mail) == 1 and "Quyết định 123/QĐ-UBND" in mail[0]["text_body"]
    with pytest.raises(Conflict):  # published once
        await drafting.review(head, routed["id"], "approve", "", now(), BASE)


async def test_the_head_returns_with_a_comment_and_the_officer_fixes(routed):
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await drafting.submit(officer, routed["id"], now())
    with pytest.raises(InvalidInput):
        await drafting.review(head, routed["id"], "return", "", now(), BASE)
    await drafting.review(head, routed["id"], "return", "Nêu rõ thời gian hoàn thành.", now(), BASE)
    answer = await answer_queries.answer_of(routed["id"])
    assert answer["state"] == "returned" and answer["return_comment"] == "Nêu rõ thời gian hoàn thành."
    await drafting.save_draft(officer, routed["id"], {**TEXT, "version": str(answer["version"])}, now())
    await drafting.submit(officer, routed["id"], now())
    assert (await answer_queries.answer_of(routed["id"]))["state"] == "submitted"


async def test_two_writers_cannot_overwrite_each_other(routed):
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await drafting.save_draft(head, routed["id"], {**TEXT, "body": "Bản của trưởng phòng.", "version": "1"}, now())
    with pytest.raises(drafting.AnswerConflict) as conflict:
        await drafting.save_draft(officer, routed["id"], {**TEXT, "body": "Bản của chuyên viên.", "version": "1"},
                                  now())
    assert conflict.value.current["body"] == "Bản của trưởng phòng."
    assert (await answer_queries.answer_of(routed["id"]))["body"] == "Bản của trưởng phòng."


async def test_held_answers_are_published_together_once(routed):
    await set_policy("at_session")
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await drafting.submit(officer, routed["id"], now())
    await drafting.review(head, routed["id"], "approve", "", now(), BASE)
    assert await answer_queries.published_answer(routed["id"]) is None  # held
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    conference = routed["conference"]
    assert await release.release(organiser, conference, now(), BASE) == 1
    assert await release.release(organiser, conference, now(), BASE) == 0
    assert await OutboxMessage.count().where(OutboxMessage.kind == "answer_published") == 1
    assert (await answer_queries.answer_of(routed["id"]))["state"] == "published"
    assert (await answer_queries.published_answer(routed["id"])) is not None


async def test_the_organisers_may_return_a_held_answer(routed):
    await set_policy("at_session")
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await drafting.submit(officer, routed["id"], now())
    await drafting.review(head, routed["id"], "approve", "", now(), BASE)
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    with pytest.raises(InvalidInput):
        await drafting.organiser_return(organiser, routed["id"], "", now())
    await drafting.organiser_return(organiser, routed["id"], "Cần trả lời cả phần thời gian.", now())
    assert (await answer_queries.answer_of(routed["id"]))["state"] == "returned"


async def test_other_agencies_cannot_touch_the_answer(routed):
    police = await actor("police@dongda.demo")  # contributing, not lead
    with pytest.raises(Forbidden):
        await drafting.save_draft(police, routed["id"], TEXT, now())
    await drafting.save_part(police, routed["id"], "Công an phường phối hợp phân luồng giao thông khi ngập.", now())
    assert len(await answer_queries.parts_of(routed["id"])) == 1
    vhxh = await Agency.select(Agency.id).where(Agency.short_name == "VH-XH").first()
    outsider = Actor(kind="staff", staff_id=999, role="agency_head", agency_id=vhxh["id"])
    for attempt in (drafting.save_draft(outsider, routed["id"], TEXT, now()),
                    drafting.save_part(outsider, routed["id"], "x", now()),
                    drafting.review(outsider, routed["id"], "approve", "", now(), BASE)):
        with pytest.raises(Forbidden):
            await attempt


async def test_the_resident_reads_the_answer_on_the_tracking_page(routed, demo_client):
    await set_policy("on_approval")
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    page = f"/agency/questions/{routed['id']}"
    saved = await post_form(demo_client, f"{page}/answer/submit", {**TEXT, "version": ""}, page=page,
                            follow_redirects=False)
    assert saved.status_code == 303
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    assert (await post_form(demo_client, f"{page}/answer/approve", {}, page=page,
                            follow_redirects=False)).status_code == 303
    public = await demo_client.get(f"/q/{intake.display_code(routed['tracking_code'])}")
    assert "Phường đã đưa cống ngõ 120 Hoàng Cầu vào kế hoạch cải tạo quý I/2027." in public.text
    assert "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa" in public.text
    conference = await demo_client.get(f"/conferences/{routed['conference']}")
    assert "Trả lời của Phòng Kinh tế" in conference.text and "Phường đã đưa cống ngõ 120" in conference.text


async def test_a_conflicting_save_through_the_web_keeps_the_text(routed, demo_client):
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    page = f"/agency/questions/{routed['id']}"
    response = await post_form(demo_client, f"{page}/answer/save", {"body": "Bản cũ của tôi", "version": "0"},
                               page=page)
    assert response.status_code == 409 and "Bản cũ của tôi" in response.text
    assert "Phường đã đưa cống" in response.text  # the saved text, to compare
    assert "+ Bản cũ của tôi" in response.text  # and what differs


async def test_the_agency_dashboard_counts_and_shows_the_head_what_waits(routed, demo_client):
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    page = (await demo_client.get("/agency")).text
    assert "chưa soạn trả lời" in page and "Chờ bạn phê duyệt" not in page
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await drafting.submit(officer, routed["id"], now())
    page = (await demo_client.get("/agency")).text
    assert "Chờ bạn phê duyệt" in page and FLOOD in page
    await sign_in(demo_client, "police@dongda.demo")  # contributing: sees the item, nothing to approve
    page = (await demo_client.get("/agency")).text
    assert FLOOD in page and "Chờ bạn phê duyệt" not in page


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


async def test_files_are_checked_by_their_content_not_their_name(routed):
    from dialogue.answers import attachments

    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    with pytest.raises(InvalidInput):  # no draft yet is fine, but this is not a PDF whatever its name says
        await attachments.attach(officer, routed["id"], "ke-hoach.pdf", b"MZ\x90\x00 an executable", now())
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    for name, data, kind in (
        ("Kế hoạch cải tạo.exe", PDF, "application/pdf"), ("ảnh.png", PNG, "image/png"),
        ("quyết định.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ):
        file_id = await attachments.attach(officer, routed["id"], name, data, now())
        stored = await attachments.download(officer, file_id)
        assert stored["content_type"] == kind
    assert (await attachments.files_of(routed["id"]))[0]["filename"] == "Kế hoạch cải tạo.pdf"
    for bad in (b"", b"PK\x03\x04 not a real zip", b"<html><script>alert(1)</script>", b"x" * (5 * 1024 * 1024 + 1)):
        with pytest.raises(InvalidInput):
            await attachments.attach(officer, routed["id"], "x.pdf", bad, now())
    police = await actor("police@dongda.demo")
    with pytest.raises(Forbidden):
        await attachments.attach(police, routed["id"], "x.pdf", PDF, now())


async def test_files_are_served_only_to_those_who_may_read_them(routed, demo_client):
    from dialogue.answers import attachments

    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    file_id = await attachments.attach(officer, routed["id"], 'báo cáo"; evil=".pdf', PDF, now())
    assert (await demo_client.get(f"/files/{file_id}")).status_code == 404  # not published: the public gets nothing
    await sign_in(demo_client, "viewer@dongda.demo")
    response = await demo_client.get(f"/files/{file_id}")
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"].startswith("application/pdf")
    disposition = response.headers["content-disposition"]
    assert (disposition.startswith("attachment;")
            and "evil" not in disposition.split("filename*")[0].replace("_evil_", ""))
    assert "filename*=UTF-8''" in disposition
    await sign_in(demo_client, "police@dongda.demo")  # contributing agency: assigned, may read
    assert (await demo_client.get(f"/files/{file_id}")).status_code == 200
    for path in ("/files/999999", "/files/0", "/files/99999999999"):
        assert (await demo_client.get(path)).status_code == 404


async def test_an_unpublished_file_is_kept_from_other_agencies_and_other_areas(routed, demo_client):
    from dialogue.accounts.commands import hash_password
    from dialogue.answers import attachments
    from dialogue.core.errors import NotFound
    from dialogue.reference.tables import AdminUnit

    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    file_id = await attachments.attach(officer, routed["id"], "ke-hoach.pdf", PDF, now())
    vhxh = await Agency.select(Agency.id).where(Agency.short_name == "VH-XH").first()
    elsewhere = await AdminUnit.select(AdminUnit.id).where(AdminUnit.code == "00004").first()
    await StaffUser.insert(StaffUser(email="officer@vhxh.demo", full_name="Lý Thị Nga", role="agency_officer",
                                     agency=vhxh["id"], password_hash=hash_password("mật khẩu văn hóa")))
    outsiders = [
        await actor("officer@vhxh.demo"),  # an agency the question is not assigned to
        Actor(kind="staff", staff_id=998, role="agency_head", agency_id=vhxh["id"]),
        Actor(kind="staff", staff_id=997, role="agency_officer", agency_id=None),
        Actor(kind="staff", staff_id=996, role="organiser", unit_id=elsewhere["id"]),  # another ward's organiser
        Actor(kind="staff", staff_id=995, role="viewer", unit_id=elsewhere["id"]),
    ]
    for outsider in outsiders:
        with pytest.raises(NotFound):
            await attachments.download(outsider, file_id)
    for insider in (officer, await actor(DEMO_ACCOUNTS["agency_head"]), await actor("police@dongda.demo"),
                    await actor(DEMO_ACCOUNTS["organiser"]), await actor(DEMO_ACCOUNTS["admin"])):
        assert (await attachments.download(insider, file_id))["data"] == PDF
    await sign_in(demo_client, "officer@vhxh.demo", "mật khẩu văn hóa")
    assert (await demo_client.get(f"/files/{file_id}")).status_code == 404


async def test_uploading_through_the_web(routed, demo_client):
    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    page = await demo_client.get(f"/agency/questions/{routed['id']}")
    from tests.conftest import csrf_token_from

    token = csrf_token_from(page.text)
    bad = await demo_client.post(f"/agency/questions/{routed['id']}/files", data={"_csrf_token": token},
                                 files={"file": ("virus.pdf", b"MZ not a pdf", "application/pdf")})
    assert bad.status_code == 400 and 'href="#file"' in bad.text
    good = await demo_client.post(f"/agency/questions/{routed['id']}/files", data={"_csrf_token": token},
                                  files={"file": ("kế hoạch.pdf", PDF, "application/octet-stream")},
                                  follow_redirects=False)
    assert good.status_code == 303
    assert "kế hoạch.pdf" in (await demo_client.get(f"/agency/questions/{routed['id']}")).text


async def test_an_answer_can_be_marked_for_the_session(routed, demo_client):
    from dialogue.answers import attachments

    officer = await actor(DEMO_ACCOUNTS["agency_officer"])
    with pytest.raises(InvalidInput):
        await attachments.mark_at_session(officer, routed["id"], True, now())
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await attachments.mark_at_session(officer, routed["id"], True, now())
    assert (await answer_queries.answer_of(routed["id"]))["at_session"] is True


# --- Promises in a written answer: commitments once it is published ------------------------------------------------

PROMISE = {"promise_text": "Chúng tôi sẽ cải tạo 200 m cống ngõ 120 Hoàng Cầu.", "promise_due_on": "31/03/2027",
           "promise_output": "Tuyến cống mới được nghiệm thu"}


async def test_an_answers_promises_become_commitments_when_it_is_published(routed):
    from dialogue.commitments.tables import Commitment
    from dialogue.machine.log import ActionLog

    await set_policy("at_session")
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    police = await actor("police@dongda.demo")
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    with pytest.raises(InvalidInput) as error:
        await drafting.add_promise(officer, routed["id"], {"promise_text": "", "promise_due_on": "01/01/2020",
                                                           "promise_output": "x" * 3000}, now())
    assert set(error.value.errors) == {"promise_text", "promise_due_on", "promise_output"}
    with pytest.raises(Forbidden):  # a contributing agency does not promise in the lead's name
        await drafting.add_promise(police, routed["id"], PROMISE, now())
    kept = await drafting.add_promise(officer, routed["id"], PROMISE, now())
    dropped = await drafting.add_promise(officer, routed["id"], {**PROMISE, "promise_text": "Sẽ bỏ."}, now())
    await drafting.remove_promise(officer, routed["id"], str(dropped), now())
    assert [p["id"] for p in await answer_queries.promises_of(routed["id"])] == [kept]
    await drafting.submit(officer, routed["id"], now())
    with pytest.raises(Conflict):  # once submitted, the promises are frozen with the text
        await drafting.add_promise(officer, routed["id"], PROMISE, now())
    await drafting.review(head, routed["id"], "approve", "", now(), BASE)
    assert await Commitment.count() == 0  # held: not yet promised in public
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    later = now() + dt.timedelta(days=200)  # published after the promised date: it is recorded, overdue
    assert await release.release(organiser, routed["conference"], later, BASE) == 1
    rows = await Commitment.select().where(Commitment.question == routed["id"])
    kt = await Agency.select(Agency.id).where(Agency.short_name == "KT-HT-ĐT").first()
    assert [(r["text"], r["origin"], r["lead_agency"], r["due_on"], r["expected_output"], r["state"])
            for r in rows] == [(PROMISE["promise_text"], "answer", kt["id"], dt.date(2027, 3, 31),
                                "Tuyến cống mới được nghiệm thu", "open")]
    assert (await answer_queries.promises_of(routed["id"]))[0]["commitment"] == rows[0]["id"]
    assert await ActionLog.count().where(ActionLog.action == "commitment_record") == 1
    assert await release.release(organiser, routed["conference"], later, BASE) == 0
    assert await Commitment.count() == 1  # once
    public = await answer_queries.published_answer(routed["id"])
    assert [p.text for p in public.promises] == [PROMISE["promise_text"]]


async def test_a_failed_publication_records_no_promise(routed):
    from dialogue.commitments.tables import Commitment

    await set_policy("at_session")
    officer, head = await actor(DEMO_ACCOUNTS["agency_officer"]), await actor(DEMO_ACCOUNTS["agency_head"])
    await drafting.save_draft(officer, routed["id"], TEXT, now())
    await drafting.add_promise(officer, routed["id"], PROMISE, now())
    await drafting.submit(officer, routed["id"], now())
    await drafting.review(head, routed["id"], "approve", "", now(), BASE)
    await Agency.update({Agency.active: False}).where(Agency.short_name == "KT-HT-ĐT")  # the lead closed meanwhile
    organiser = await actor(DEMO_ACCOUNTS["organiser"])
    with pytest.raises(InvalidInput):
        await release.release(organiser, routed["conference"], now(), BASE)
    assert await Commitment.count() == 0
    assert (await answer_queries.answer_of(routed["id"]))["state"] == "approved"  # nothing published either


async def test_promises_through_the_web_and_on_the_tracking_page(routed, demo_client):
    await set_policy("on_approval")
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_officer"])
    page = f"/agency/questions/{routed['id']}"
    await post_form(demo_client, f"{page}/answer/save", {**TEXT, "version": ""}, page=page)
    wrong = await post_form(demo_client, f"{page}/answer/promise", {**PROMISE, "promise_due_on": "mai"}, page=page)
    assert wrong.status_code == 400 and PROMISE["promise_text"] in wrong.text and "mai" in wrong.text
    too_far = await post_form(demo_client, f"{page}/answer/promise", {**PROMISE, "promise_due_on": "31/12/9999"},
                              page=page)
    assert too_far.status_code == 400 and PROMISE["promise_text"] in too_far.text and "31/12/9999" in too_far.text
    assert "muộn nhất là ngày 07/12/2029" in too_far.text and await answer_queries.promises_of(routed["id"]) == []
    added = await post_form(demo_client, f"{page}/answer/promise", PROMISE, page=page, follow_redirects=False)
    assert added.status_code == 303
    assert PROMISE["promise_text"] in (await demo_client.get(page)).text
    answer = await answer_queries.answer_of(routed["id"])
    await post_form(demo_client, f"{page}/answer/submit", {**TEXT, "version": str(answer["version"])}, page=page)
    await sign_in(demo_client, DEMO_ACCOUNTS["agency_head"])
    assert (await post_form(demo_client, f"{page}/answer/approve", {}, page=page,
                            follow_redirects=False)).status_code == 303
    public = (await demo_client.get(f"/q/{intake.display_code(routed['tracking_code'])}")).text
    answer_part = public.split('id="answer-title"')[1].split("</section>")[0]
    assert PROMISE["promise_text"] in answer_part and "31/03/2027" in answer_part
    follow_up = public.split('id="commitments"')[1].split("</section>")[0]
    assert PROMISE["promise_text"] in follow_up
