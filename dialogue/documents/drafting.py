"""Drafting the two documents from what the session recorded. The documents are Vietnamese official
documents whatever the reader's language, so their words are Vietnamese here; the askers appear
only as their kind and area (never a name, an address, an e-mail or a phone number)."""

from __future__ import annotations

import datetime as dt

from dialogue.agenda.queries import attendees_of, items_of, session_of
from dialogue.commitments.queries import by_question, of_conference
from dialogue.core.i18n import language, local
from dialogue.core.vocabulary import word
from dialogue.documents.tables import ConferenceDocument
from dialogue.questions.tracking import public_view
from dialogue.reference.tables import AdminUnit

K = ConferenceDocument.Kind
SYMBOLS = {K.minutes.value: "BB-UBND", K.notice.value: "TB-UBND"}
TYPE_NAMES = {K.minutes.value: "BIÊN BẢN", K.notice.value: "THÔNG BÁO"}
TYPE_WORDS = {K.minutes.value: "Biên bản", K.notice.value: "Thông báo"}


def long_date(day: dt.date) -> str:
    """'ngày 20 tháng 12 năm 2026': days and months below 10 written as 01…09, as Decree 30 asks
    only for the day and month 1 and 2 (written 01, 02); writing every one so is allowed and reads evenly."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def clock_words(moment: dt.datetime | None) -> str:
    """'08 giờ 05 phút', in Hà Nội's time."""
    if moment is None:
        return "… giờ … phút"
    moment = local(moment)
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút"


async def issuing_unit(unit_id: int) -> dict:
    """The issuing body's two lines and the place name for the date line: the People's Committee of
    the unit ('ỦY BAN NHÂN DÂN' / 'PHƯỜNG ĐỐNG ĐA') and 'Đống Đa'."""
    unit = await AdminUnit.select(AdminUnit.name, AdminUnit.kind).where(AdminUnit.id == unit_id).first()
    name, kind = unit["name"], unit["kind"]
    place = name[len(kind):].strip() if kind and name.casefold().startswith(kind.casefold()) else name
    return {"body_parent": "ỦY BAN NHÂN DÂN", "body_name": name.upper(), "place_name": place, "kind": kind,
            "unit_words": name[:1].lower() + name[1:]}  # 'phường Đống Đa' inside a sentence


def _task(row: dict) -> dict:
    return {"commitment_id": row["id"], "issue": row["text"], "lead_agency": row["lead_agency"],
            "cooperating": list(row.get("cooperating_ids") or []), "expected_output": row.get("expected_output") or "",
            "due_on": row["due_on"].isoformat() if row["due_on"] else ""}


def _commitment_line(row: dict) -> str:
    due = row["due_on"].strftime("%d/%m/%Y") if row["due_on"] else ""
    line = f"{row['text'].rstrip('.')} (chủ trì: {row['lead_agency_name']}"
    if row["cooperating"]:
        line += f"; phối hợp: {', '.join(row['cooperating'])}"
    return line + (f"; thời hạn: {due})." if due else ").")


async def draft_contents(conference: dict) -> dict[str, dict]:
    """The minutes' and the notice's editable content, from the conference's record."""
    unit = await issuing_unit(conference["unit"])
    session = await session_of(conference["id"])
    attendees = await attendees_of(conference["id"])
    items = await items_of(conference["id"])
    commitments = await of_conference(conference["id"])
    grouped = by_question(commitments)
    started = session["started_at"] or conference["starts_at"]
    ended = session["ended_at"]
    day = local(started).date() if started else None
    title = conference["title"]
    with language("vi"):
        records = []
        for n, item in enumerate(items, start=1):
            view = public_view({**item, "id": item["question"], "conference": item["question_conference"],
                                "conference_title": title})
            topic = item["topic_vi"] or ""
            asked = view.heading or f"Câu hỏi thuộc lĩnh vực {topic.lower()}".strip()
            if item["answered_by_agency_name"]:
                answer = (f"{item['answered_by_position']}, {item['answered_by_agency_name']} trả lời: "
                          f"{item['summary']}").strip()
            elif item["written_due_on"]:
                answer = f"Sẽ trả lời bằng văn bản trước ngày {item['written_due_on'].strftime('%d/%m/%Y')}."
            else:
                answer = ""
            records.append({
                "question_id": item["question"], "heading": f"Câu hỏi {n}",
                "asker": f"{word('asker_kind', item['asker_kind'])}, {item['unit_name']}",
                "question": asked, "answer": answer, "outcome": word("agenda_outcome", item["outcome"]),
                "commitments": "\n".join(_commitment_line(c) for c in grouped.get(item["question"], [])),
            })
    counts = [f"{session['residents']} người dân" if session["residents"] else "",
              f"{session['businesses']} doanh nghiệp, hộ kinh doanh" if session["businesses"] else "",
              f"{session['organisations']} đại diện tổ chức" if session["organisations"] else ""]
    participants = [
        f"Chủ trì: {session['chair'] or '…'}.",
        f"Đại diện Ủy ban Mặt trận Tổ quốc: {session['co_organiser'] or conference['co_organiser'] or '…'}.",
        f"Thư ký: {session['secretary'] or '…'}.",
    ]
    if any(counts):
        participants.append("Tham dự: " + ", ".join(c for c in counts if c) + ".")
    if attendees:
        people = [f"{a['agency_name']} ({a['name']}{', ' + a['position'] if a['position'] else ''})" for a in attendees]
        participants.append("Đại diện các cơ quan: " + "; ".join(people) + ".")
    chair_name, _, chair_position = (session["chair"] or "").partition(",")
    chair_name, chair_position = chair_name.strip(), chair_position.strip().casefold()
    if "chủ tịch" in chair_position and "phó" not in chair_position:
        authority, position = "", "CHỦ TỊCH"  # the chairman signs in his own name
    else:
        authority, position = "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"  # a vice-chairman signs for him
    minutes = {
        "summary": title,
        "time_line": f"Vào lúc {clock_words(started)}, {long_date(day)}." if day else "Vào lúc …",
        "place_line": f"Tại: {conference['venue']}." if conference["venue"] else "Tại: …",
        "participants": "\n".join(participants),
        "items": records,
        "conclusions": session["conclusions"],
        "closing_line": (f"Hội nghị kết thúc vào lúc {clock_words(ended)} cùng ngày. Biên bản đã được thông qua "
                         "tại hội nghị." if ended else "Hội nghị kết thúc vào lúc … cùng ngày."),
        "left_signer_title": "THƯ KÝ", "left_signer_name": session["secretary"],
        "right_signer_title": "CHỦ TRÌ HỘI NGHỊ", "right_signer_name": chair_name,
    }
    held = f"{long_date(day)}" if day else ""
    kind = unit["kind"]
    notice = {
        "summary": f"Kết luận của Chủ tịch Ủy ban nhân dân {unit['unit_words']} tại {title[:1].lower() + title[1:]}",
        "opening": (f"{held[:1].upper() + held[1:]}, Ủy ban nhân dân {unit['unit_words']} phối hợp với Ủy ban Mặt trận "
                    f"Tổ quốc tổ chức {title[:1].lower() + title[1:]}. Sau khi nghe ý kiến của Nhân dân và trả lời "
                    f"của các cơ quan, Chủ tịch Ủy ban nhân dân {unit['unit_words']} kết luận như sau:"
                    if day else ""),
        "conclusions": session["conclusions"],
        "tasks": [_task(c) for c in commitments],
        "recipients": "\n".join(["Các cơ quan, đơn vị nêu tại Mục 2;", f"TT Đảng ủy, HĐND {kind} (để b/c);",
                                 f"Ủy ban MTTQ {kind};", f"Chủ tịch, các PCT UBND {kind};", "Lưu: VT."]),
        "signer_authority": authority, "signer_position": position, "signer_name": chair_name,
    }
    return {K.minutes.value: minutes, K.notice.value: notice}
