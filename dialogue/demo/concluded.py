"""A third conference of the demo ward, held three weeks ago and run to its end on the console: each
item shown and given its outcome, commitments made, attendance and the chair's conclusions recorded,
the session ended and its minutes and conclusions notice published the next day (which concluded
the conference, told the askers and handed the notice's tasks to follow-up), and the three weeks of
follow-up since: one commitment in progress, one done and verified, one extended, one overdue."""

from __future__ import annotations

import datetime as dt
import logging

from dialogue.accounts.tables import StaffUser
from dialogue.agenda import commands as console
from dialogue.agenda.queries import items_of, session_of
from dialogue.commitments import followup
from dialogue.commitments.queries import of_conference
from dialogue.conferences.tables import Conference
from dialogue.core.calendar import TZ
from dialogue.demo.session import BASE_URL, conference_in_session
from dialogue.documents import commands as documents
from dialogue.machine.actors import Actor
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import Agency

log = logging.getLogger("dialogue.demo")
TITLE = "Hội nghị đối thoại chuyên đề về trật tự đô thị và vệ sinh môi trường phường Đống Đa năm 2026"

# kind, name, topic, title, text, answer in writing?
QUESTIONS = [
    ("resident", "Vũ Văn Bình", "environment", "Ngập úng ngõ 42 phố Hoàng Cầu mỗi khi mưa lớn",
     "Mỗi trận mưa lớn ngõ 42 ngập sâu 30–40 cm, nước tràn vào nhà dân. Đề nghị phường cho biết khi nào "
     "cải tạo hệ thống thoát nước của ngõ.", False),
    ("resident", "Đặng Thị Hoa", "construction", "Công trình xây dựng không phép tại số 15 ngõ Thịnh Hào 1",
     "Công trình tại số 15 ngõ Thịnh Hào 1 xây thêm tầng 6 không có giấy phép, gây nứt tường nhà bên cạnh. "
     "Đề nghị phường kiểm tra, xử lý.", False),
    ("organisation", "Chi hội Người cao tuổi tổ dân phố 12", "environment",
     "Thu gom rác tại điểm tập kết chợ Ô Chợ Dừa",
     "Điểm tập kết rác cạnh chợ Ô Chợ Dừa thường xuyên để rác đến trưa mới thu gom, gây mùi hôi. Đề nghị điều "
     "chỉnh giờ thu gom.", False),
    ("resident", "Trịnh Quốc Khánh", "traffic", "Đèn chiếu sáng ngõ 180 Tây Sơn hỏng kéo dài",
     "Bốn cột đèn trong ngõ 180 Tây Sơn hỏng hơn hai tháng, buổi tối đi lại nguy hiểm.", False),
    ("business", "Hộ kinh doanh Phở Thìn", "construction", "Quy định sử dụng vỉa hè để kinh doanh",
     "Hộ kinh doanh muốn biết phường có cho thuê tạm thời một phần vỉa hè phố Xã Đàn không, thủ tục thế nào?", True),
    ("resident", "Phan Thị Ngọc", "traffic", "Hố ga mất nắp trước số 60 phố Thái Hà",
     "Hố ga trước số 60 phố Thái Hà mất nắp gần một tuần, chỉ cắm tạm cành cây, rất nguy hiểm cho người đi xe máy "
     "buổi tối.", False),
    ("resident", "Ngô Đức Thắng", "environment", "Cây xanh nghiêng có nguy cơ đổ trên phố Hoàng Cầu",
     "Cây sấu trước số 23 phố Hoàng Cầu nghiêng hẳn ra lòng đường sau trận bão vừa rồi. Đề nghị phường kiểm tra, "
     "xử lý trước mùa mưa bão.", False),
    ("resident", "Bùi Văn Toàn", "environment", "Đổ trộm phế thải xây dựng ven hồ Hoàng Cầu",
     "Ban đêm thường có xe đổ trộm phế thải xây dựng ở góc hồ Hoàng Cầu phía phố Hoàng Cầu mới. Đề nghị lắp camera "
     "và xử lý.", False),
    ("organisation", "Ban công tác Mặt trận tổ dân phố 7", "construction",
     "Lấn chiếm vỉa hè phố Xã Đàn làm bãi trông giữ xe",
     "Nhiều đoạn vỉa hè phố Xã Đàn bị quây làm bãi trông giữ xe máy, người đi bộ phải xuống lòng đường.", False),
]

ANSWERED_ON_THE_SPOT = {
    2: ("VP", "Phó Chủ tịch UBND phường",
        "Phường đã làm việc với đơn vị thu gom: từ ngày 01/12 rác tại điểm chợ Ô Chợ Dừa được thu hai lần, lúc "
        "6 giờ và 17 giờ; tổ dân phố giám sát và báo ngay khi chậm."),
    5: ("KT-HT-ĐT", "Trưởng phòng Kinh tế, Hạ tầng và Đô thị",
        "Ngay sau khi nhận phản ánh, phòng đã đề nghị Công ty Thoát nước Hà Nội lắp nắp hố ga mới; nắp đã được lắp "
        "sáng ngày hội nghị."),
    6: ("KT-HT-ĐT", "Trưởng phòng Kinh tế, Hạ tầng và Đô thị",
        "Công ty Công viên cây xanh đã kiểm tra cây sấu trước số 23 và sẽ chặt hạ, trồng thay thế trong tuần tới; "
        "trong lúc chờ đã chằng chống và cắt tỉa tán."),
    7: ("KT-HT-ĐT", "Phó Trưởng phòng Kinh tế, Hạ tầng và Đô thị",
        "Phòng đã thu dọn phế thải, lập chốt kiểm tra ban đêm cùng Công an phường và đặt biển cấm đổ phế thải; "
        "camera sẽ được lắp trong đợt lắp camera giám sát đô thị đầu năm."),
    8: ("KT-HT-ĐT", "Trưởng phòng Kinh tế, Hạ tầng và Đô thị",
        "Phường đã ra quân lập lại trật tự vỉa hè phố Xã Đàn, thu hồi các bãi trông giữ xe không phép; tổ công tác "
        "kiểm tra hằng tuần."),
}
COMMITMENTS = {
    0: [("Khảo sát và lập phương án cải tạo rãnh thoát nước ngõ 42 phố Hoàng Cầu", "KT-HT-ĐT", ["VP"], 15)],
    1: [("Kiểm tra, lập biên bản và xử lý công trình xây dựng tại số 15 ngõ Thịnh Hào 1; trả lời bằng văn bản "
         "cho người dân", "KT-HT-ĐT", ["CA"], 10)],
    3: [("Thay thế bốn cột đèn hỏng trong ngõ 180 Tây Sơn", "KT-HT-ĐT", [], 20)],
}
GENERAL_COMMITMENT = ("Rà soát toàn bộ các điểm ngập úng trên địa bàn phường và báo cáo Chủ tịch UBND phường",
                      "KT-HT-ĐT", ["VH-XH"], 30)
CONCLUSIONS = (
    "Chủ tịch UBND phường ghi nhận các ý kiến của Nhân dân về ngập úng, trật tự xây dựng, thu gom rác và "
    "chiếu sáng.\n\nGiao các phòng, đơn vị theo chức năng, nhiệm vụ khẩn trương giải quyết các nội dung đã "
    "hứa tại hội nghị, báo cáo kết quả trước thời hạn và công khai trên trang Đối thoại của phường."
)
ATTENDEES = [
    ("VP", "Nguyễn Văn Thành", "Chánh Văn phòng"),
    ("KT-HT-ĐT", "Phạm Thu Hà", "Trưởng phòng"),
    ("CA", "Đỗ Quang Huy", "Phó Trưởng Công an phường"),
]


async def load_concluded_demo(unit_id: int, today: dt.date, with_follow_up: bool = True) -> int:
    """The conference (once), its session recorded item by item, its documents published and (unless
    not wanted: tests that start from the open commitments) its follow-up since. Returns 1 when it
    was added, 0 when it was there already."""
    if await Conference.exists().where((Conference.unit == unit_id) & (Conference.title == TITLE)):
        return 0
    held = dt.datetime.combine(today - dt.timedelta(days=21), dt.time(8), TZ)
    conference = await conference_in_session(
        unit_id, TITLE, Conference.Kind.thematic.value, held, QUESTIONS,
        "Đối thoại chuyên đề về ngập úng, trật tự xây dựng, thu gom rác thải và chiếu sáng trên địa bàn phường.",
        "dothi")
    secretary = Actor.staff(await StaffUser.select().where(StaffUser.email == "secretary@dongda.demo").first())
    await record_session(secretary, unit_id, conference["id"], held)
    await documents.end_session(secretary, conference["id"], held + dt.timedelta(hours=3))
    try:
        await documents.publish(conference["organiser"], conference["id"], held + dt.timedelta(days=1), BASE_URL)
    except OSError as error:  # WeasyPrint without Pango: the rest of the demo still loads
        log.warning("The demo's documents stay drafts: the PDF could not be made (%s). Install Pango "
                    "(see docs/operations.md) and publish them from the documents page.", error)
        return 1
    if with_follow_up:
        await follow_up(conference["organiser"], conference["id"], held)
    return 1


async def follow_up(organiser: Actor, conference_id: int, held: dt.datetime) -> None:
    """The three weeks since, through the real commands: the drainage work in progress with two
    progress notes, the street lights replaced, reported and verified (kept), the chair's review
    extended (its first date kept and shown), and the building site left overdue."""
    officer = Actor.staff(await StaffUser.select().where(StaffUser.email == "officer@dongda.demo").first())
    head = Actor.staff(await StaffUser.select().where(StaffUser.email == "head@dongda.demo").first())
    rows = await of_conference(conference_id)

    def find(words: str) -> int:
        return next(row["id"] for row in rows if words in row["text"])

    def day(n: int, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine((held + dt.timedelta(days=n)).date(), dt.time(hour), TZ)

    drainage, lights, review = find("rãnh thoát nước ngõ 42"), find("bốn cột đèn"), find("Rà soát toàn bộ")
    await followup.start(officer, drainage, day(2), BASE_URL)
    await followup.post_progress(officer, drainage, {
        "note": "Đã khảo sát hiện trạng 180 m rãnh thoát nước ngõ 42; rãnh bị bồi lắng và vỡ nắp ở 6 vị trí.",
        "percent": "30"}, day(4), BASE_URL)
    await followup.post_progress(officer, drainage, {
        "note": "Đã nạo vét xong 120 m rãnh; đang thay nắp rãnh và lập phương án nâng cốt đoạn cuối ngõ.",
        "percent": "60"}, day(15), BASE_URL)
    await followup.start(officer, lights, day(3), BASE_URL)
    await followup.report_done(head, lights, {
        "summary": "Đã thay bốn cột đèn hỏng trong ngõ 180 Tây Sơn bằng đèn LED; đèn sáng bình thường từ tối 25/11."},
        day(9, 16), BASE_URL)
    await followup.verify(organiser, lights, {"outcome": "kept", "note": "Tổ dân phố xác nhận đèn đã sáng."},
                          day(10), BASE_URL)
    extended_to = (await working_calendar()).add_working_days(day(14), 40)
    await followup.extend(organiser, review, {
        "due_on": extended_to.strftime("%d/%m/%Y"),
        "reason": "Chờ kết quả quan trắc mùa mưa của Sở Xây dựng để rà soát đầy đủ các điểm ngập."},
        day(14), BASE_URL)


async def record_session(secretary: Actor, unit_id: int, conference_id: int, held: dt.datetime) -> None:
    """What the secretary records on the console through the morning, in the order it happens."""
    agencies = {row["short_name"]: row["id"] for row in await Agency.select(Agency.id, Agency.short_name)
                .where(Agency.unit == unit_id)}

    def at(minutes: int) -> dt.datetime:
        return held + dt.timedelta(minutes=minutes)

    await console.save_attendance(secretary, conference_id, {
        "residents": "86", "businesses": "9", "organisations": "6",
        "chair": "Lê Minh Tuấn, Chủ tịch UBND phường", "secretary": "Trần Minh Đức, chuyên viên Văn phòng",
        "co_organiser": "Bùi Thị Mai, Chủ tịch Ủy ban MTTQ Việt Nam phường",
        "started_at": held.astimezone(TZ).strftime("%H:%M"), "ended_at": "",
    }, at(1))
    for short, name, position in ATTENDEES:
        await console.add_attendee(secretary, conference_id, {
            "agency": str(agencies[short]), "name": name, "position": position}, at(2))
    items = await items_of(conference_id)
    by_question = {item["question"]: item for item in items}
    question_ids = [item["question"] for item in sorted(items, key=lambda item: item["question"])]
    minute = 10
    for item in items:
        index = question_ids.index(item["question"])
        await console.show_item(secretary, conference_id, item["id"], at(minute))
        if index in ANSWERED_ON_THE_SPOT:
            short, position, summary = ANSWERED_ON_THE_SPOT[index]
            await console.save_outcome(secretary, conference_id, item["id"], "answered", {
                "answered_by_agency": str(agencies[short]), "answered_by_position": position, "summary": summary,
                "version": str(by_question[item["question"]]["version"])}, at(minute + 6))
        for text, lead, partners, days in COMMITMENTS.get(index, []):
            await console.add_commitment(secretary, conference_id, item["id"], {
                "commitment_text": text, "lead_agency": str(agencies[lead]),
                "cooperating": ",".join(str(agencies[p]) for p in partners), "due_days": str(days)}, at(minute + 8))
        if QUESTIONS[index][5]:
            due = (held + dt.timedelta(days=14)).astimezone(TZ).strftime("%d/%m/%Y")
            await console.save_outcome(secretary, conference_id, item["id"], "writing", {
                "written_due_on": due, "version": str(by_question[item["question"]]["version"])}, at(minute + 3))
        minute += 20
    text, lead, partners, days = GENERAL_COMMITMENT
    await console.add_commitment(secretary, conference_id, None, {
        "commitment_text": text, "lead_agency": str(agencies[lead]),
        "cooperating": ",".join(str(agencies[p]) for p in partners), "due_days": str(days)}, at(minute))
    session = await session_of(conference_id)
    await console.save_conclusions(secretary, conference_id, {
        "conclusions": CONCLUSIONS, "version": str(session["conclusions_version"])}, at(minute + 5))
