"""Demo data that tells a real story: Đống Đa ward of Hà Nội prepares its annual
dialogue conference with residents. Loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from dialogue.accounts.commands import hash_password
from dialogue.accounts.tables import StaffUser
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.core.calendar import TZ
from dialogue.core.db import write_transaction
from dialogue.core.text import fold
from dialogue.demo.concluded import load_concluded_demo
from dialogue.demo.disputed import load_disputed_demo
from dialogue.demo.inspections import load_inspection_demo
from dialogue.demo.life import bring_to_life
from dialogue.demo.privacy import load_privacy_demo
from dialogue.demo.questions import QUESTIONS
from dialogue.demo.ratings import load_ratings_demo
from dialogue.demo.session import load_session_demo
from dialogue.machine import log as audit
from dialogue.machine.actors import Actor
from dialogue.questions import similarity
from dialogue.questions.intake import new_tracking_code, token_hash
from dialogue.questions.tables import Question
from dialogue.reference.calendar import SCREENING_DAYS, working_calendar
from dialogue.reference.loading import load_admin_units, seed_holidays
from dialogue.reference.tables import AdminUnit, Agency, Topic

DEMO_UNIT_CODE = "00235"  # Phường Đống Đa, Thành phố Hà Nội

AGENCIES = [
    # short name, full name, contact
    ("VP", "Văn phòng HĐND và UBND phường Đống Đa", "vanphong@dongda.demo.gov.vn"),
    ("KT-HT-ĐT", "Phòng Kinh tế, Hạ tầng và Đô thị phường Đống Đa", "kinhte@dongda.demo.gov.vn"),
    ("VH-XH", "Phòng Văn hóa - Xã hội phường Đống Đa", "vanhoaxahoi@dongda.demo.gov.vn"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công phường Đống Đa", "motcua@dongda.demo.gov.vn"),
    ("CA", "Công an phường Đống Đa", "congan@dongda.demo.gov.vn"),
]

TOPICS = [
    # code, Vietnamese, English, audience, default agency (short name); all the ward's own
    ("land", "Đất đai, cấp giấy chứng nhận", "Land and land-use certificates", "everyone", "KT-HT-ĐT"),
    ("clearance", "Bồi thường, giải phóng mặt bằng", "Compensation and site clearance", "everyone", "KT-HT-ĐT"),
    ("construction", "Trật tự xây dựng, quản lý đô thị", "Construction order and urban management", "everyone",
     "KT-HT-ĐT"),
    ("traffic", "Giao thông, đường sá, chiếu sáng", "Roads, traffic and street lighting", "everyone", "KT-HT-ĐT"),
    ("environment", "Môi trường, rác thải, ngập úng", "Environment, waste and flooding", "everyone", "KT-HT-ĐT"),
    ("social", "Chính sách xã hội, người có công", "Social policy and support for people with merit", "residents",
     "VH-XH"),
    ("education_health", "Giáo dục, y tế", "Education and health", "residents", "VH-XH"),
    ("security", "An ninh, trật tự", "Security and public order", "everyone", "CA"),
    ("civil_status", "Hộ tịch, cư trú", "Civil status and residence", "residents", "TTPVHCC"),
    ("procedures", "Thủ tục hành chính", "Administrative procedures", "businesses", "TTPVHCC"),
    ("business_registration", "Đăng ký hộ kinh doanh", "Household business registration", "businesses", "KT-HT-ĐT"),
    ("labour", "Lao động, bảo hiểm xã hội", "Labour and social insurance", "businesses", "VH-XH"),
    ("fire_safety", "Phòng cháy, chữa cháy", "Fire safety", "businesses", "CA"),
    ("tax", "Thuế, phí, lệ phí", "Taxes, fees and charges", "businesses", "KT-HT-ĐT"),
]

DEMO_PASSWORD = "doithoai-demo-2026"
ACCOUNTS = [
    # e-mail, name, role, agency (short name), position (the monthly report names heads by it)
    ("admin@dongda.demo", "Quản trị hệ thống", "admin", None, ""),
    ("organiser@dongda.demo", "Nguyễn Thị Lan", "organiser", None, "Chuyên viên Văn phòng HĐND và UBND"),
    ("secretary@dongda.demo", "Trần Minh Đức", "secretary", None, "Chuyên viên Văn phòng HĐND và UBND"),
    ("officer@dongda.demo", "Lê Văn Hùng", "agency_officer", "KT-HT-ĐT", "Chuyên viên"),
    ("head@dongda.demo", "Phạm Thu Hà", "agency_head", "KT-HT-ĐT", "Trưởng phòng Kinh tế, Hạ tầng và Đô thị"),
    ("police@dongda.demo", "Đỗ Quang Huy", "agency_officer", "CA", "Cán bộ Công an phường"),
    ("viewer@dongda.demo", "Hoàng Văn Nam", "viewer", None, "Chủ tịch UBND phường"),
    ("inspector@dongda.demo", "Bùi Thị Mai", "inspector", None, "Thanh tra viên"),
    ("privacy@dongda.demo", "Lương Thị Hạnh", "data_protection", None, "Cán bộ bảo vệ dữ liệu cá nhân"),
    # the heads of the other agencies, whom the monthly report holds responsible
    ("head.vp@dongda.demo", "Đặng Thị Minh", "agency_head", "VP", "Chánh Văn phòng HĐND và UBND"),
    ("head.vhxh@dongda.demo", "Vũ Thị Thanh Hương", "agency_head", "VH-XH", "Trưởng phòng Văn hóa - Xã hội"),
    ("head.ttpvhcc@dongda.demo", "Trịnh Văn Long", "agency_head", "TTPVHCC",
     "Giám đốc Trung tâm Phục vụ hành chính công"),
    ("head.ca@dongda.demo", "Ngô Đức Thắng", "agency_head", "CA", "Trưởng Công an phường"),
]

CONFERENCE_TITLE = "Hội nghị đối thoại giữa Chủ tịch UBND phường Đống Đa với Nhân dân năm 2026"


async def load_demo(today: dt.date | None = None, with_questions: bool = True, lively: bool = False) -> dict[str, int]:
    """Load the demo. Returns how many rows of each kind it added.

    `lively` (what `make run` loads) spreads the questions over the month before today and takes
    them through their lives with the real commands: some accepted and public, some answered and
    published, some merged, rejected or forwarded, some overdue, the newest still waiting. Without
    it (what most tests load) every question waits to be screened."""
    today = today or dt.date.today()
    added = {"agencies": 0, "topics": 0, "conferences": 0, "accounts": 0, "questions": 0}
    if not await AdminUnit.exists().where(AdminUnit.code == DEMO_UNIT_CODE):
        await load_admin_units(today)
    await seed_holidays(today.year - 1, today.year + 3)
    unit = await AdminUnit.objects().get(AdminUnit.code == DEMO_UNIT_CODE)

    async with write_transaction():
        agencies: dict[str, int] = {}
        for short, name, email in AGENCIES:
            row = await Agency.select(Agency.id).where((Agency.unit == unit.id) & (Agency.short_name == short)).first()
            if row is None:
                row = (await Agency.insert(Agency(
                    name=name, short_name=short, name_folded=fold(name), unit=unit.id, email=email, active=True,
                )).returning(Agency.id))[0]
                added["agencies"] += 1
            agencies[short] = row["id"]

        for position, (code, name_vi, name_en, audience, agency) in enumerate(TOPICS):
            if not await Topic.exists().where(Topic.code == code):
                await Topic.insert(Topic(
                    code=code, name_vi=name_vi, name_en=name_en, audience=audience, unit=unit.id,
                    default_agency=agencies[agency], position=position, active=True,
                ))
                added["topics"] += 1

        password_hash = None
        for email, name, role, agency, position in ACCOUNTS:
            if not await StaffUser.exists().where(StaffUser.email == email):
                password_hash = password_hash or hash_password(DEMO_PASSWORD)
                await StaffUser.insert(StaffUser(
                    email=email, full_name=name, position=position, role=role, password_hash=password_hash,
                    agency=agencies[agency] if agency else None,
                    unit=None if role == "admin" or agency else unit.id,
                ))
                added["accounts"] += 1

        if not await Conference.exists().where((Conference.unit == unit.id) & (Conference.title == CONFERENCE_TITLE)):
            def at(days: int, hour: int) -> dt.datetime:
                return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour), TZ)

            await Conference.insert(Conference(
                title=CONFERENCE_TITLE,
                title_folded=fold(CONFERENCE_TITLE),
                kind=Conference.Kind.residents.value,
                unit=unit.id,
                co_organiser="Ủy ban Mặt trận Tổ quốc Việt Nam phường Đống Đa",
                starts_at=at(23, 8),
                ends_at=at(23, 11),
                venue="Hội trường UBND phường Đống Đa, số 8 phố Hoàng Cầu, Hà Nội",
                description=(
                    "Chủ tịch Ủy ban nhân dân phường chủ trì, phối hợp với Ủy ban Mặt trận Tổ quốc Việt Nam phường "
                    "tổ chức đối thoại trực tiếp với Nhân dân về các vấn đề người dân quan tâm: đất đai, trật tự "
                    "xây dựng, môi trường, ngập úng, giao thông và chính sách xã hội. Người dân gửi câu hỏi trước "
                    "hội nghị qua hệ thống này; các câu hỏi được chuyển đến cơ quan có thẩm quyền để trả lời."
                ),
                questions_open_at=at(-35 if lively else -5, 7),
                questions_close_at=at(16, 17),
                release_policy=Conference.ReleasePolicy.at_session.value,
                state=Conference.State.open.value,
            ))
            added["conferences"] += 1
        conference = await Conference.select(Conference.id).where(
            (Conference.unit == unit.id) & (Conference.title == CONFERENCE_TITLE)).first()
        if not await ConferenceTopic.exists().where(ConferenceTopic.conference == conference["id"]):
            topics = await Topic.select(Topic.id).where(
                Topic.audience.is_in(["everyone", "residents"]) & (Topic.unit == unit.id))
            await ConferenceTopic.insert(*[ConferenceTopic(conference=conference["id"], topic=t["id"]) for t in topics])
        if with_questions:
            added["questions"] = await _load_questions(conference["id"], unit.id, today, lively)
    if lively and added["questions"]:
        await bring_to_life(conference["id"], today)
        await load_privacy_demo(conference["id"], today)  # two personal-data requests for the officer
    if lively:  # a second conference, in session, whose console can be run at once; a third, concluded
        added["conferences"] += await load_session_demo(unit.id, today)
        added["conferences"] += await load_concluded_demo(unit.id, today)
        await load_disputed_demo(unit.id, today)
        await load_ratings_demo(unit.id, today)  # its askers rate what they received
        await load_inspection_demo(unit.id, today)  # a closed surprise re-inspection of its commitments
    return added


async def _load_questions(conference_id: int, unit_id: int, today: dt.date, lively: bool = False) -> int:
    """The demo's questions, waiting to be screened: received over the five days before today, or
    (lively) over the month before it."""
    if await Question.exists().where(Question.conference == conference_id):
        return 0
    calendar = await working_calendar()
    topics = {t["code"]: t["id"] for t in await Topic.select(Topic.id, Topic.code)}
    for n, (kind, name, topic, title, body, session, public) in enumerate(QUESTIONS):
        received = dt.datetime.combine(today - dt.timedelta(days=30 if lively else 5), dt.time(8), TZ) \
            + dt.timedelta(hours=(16 if lively else 3) * n)
        code = new_tracking_code()
        rows = await Question.insert(Question(
            conference=conference_id, tracking_code=code, manage_token_hash=token_hash(code + "-demo"),
            form_token=f"demo-{n}", asker_kind=kind, asker_name=name,
            asker_email=f"nguoihoi{n}@example.vn", organisation_name=name if kind != "resident" else "",
            tax_code="0100233488" if kind == "business" else "", unit=unit_id, topic=topics[topic], title=title,
            body=body, search_folded=fold(title + " " + body), answer_mode="session" if session else "writing",
            public_consent=public, data_consent_at=received, language="vi", state="submitted",
            submitted_from="demo", created_at=received, updated_at=received,
            screening_due_on=calendar.add_working_days(received, SCREENING_DAYS),
        )).returning(Question.id)
        await audit.record(Actor.public(code), "submitted", "question", rows[0]["id"], at=received,
                           to_state="submitted")
        await similarity.keep(rows[0]["id"])
    return len(QUESTIONS)
