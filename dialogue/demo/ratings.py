"""The askers of the concluded conference rate what they received, through their private links and
the same command the page uses: five ratings of the urban-works office (four answers given on the
spot and the street lights replaced), enough for its averages to be shown, and one of the ward
office (the rubbish collection), whose figures stay hidden below the minimum count."""

from __future__ import annotations

import datetime as dt

from dialogue.conferences.tables import Conference
from dialogue.core.calendar import TZ
from dialogue.demo.concluded import TITLE
from dialogue.questions.tables import Question
from dialogue.ratings.commands import rate, subjects_of
from dialogue.ratings.tables import Rating

# the question (by its words), what is rated, the five dimensions, overall, a comment
RATINGS = [
    ("Thu gom rác tại điểm tập kết", "answer", ("4", "4", "5", "3", "4"), "4",
     "Đã thu gom đúng giờ, nhưng cuối tuần vẫn còn chậm."),
    ("Hố ga mất nắp", "answer", ("5", "na", "5", "5", "4"), "5", ""),
    ("Cây xanh nghiêng", "answer", ("4", "na", "4", "4", "4"), "4", ""),
    ("Đổ trộm phế thải", "answer", ("3", "3", "4", "2", "3"), "3", "Camera hứa đầu năm mới lắp, cần theo dõi tiếp."),
    ("Lấn chiếm vỉa hè", "answer", ("4", "4", "4", "4", "5"), "4", ""),
    ("Đèn chiếu sáng ngõ 180", "commitment", ("5", "4", "5", "5", "5"), "5", "Đèn đã sáng, cảm ơn phường."),
]


async def load_ratings_demo(unit_id: int, today: dt.date) -> int:
    """The ratings (once). Returns how many were given."""
    conference = await Conference.select(Conference.id).where(
        (Conference.unit == unit_id) & (Conference.title == TITLE)).first()
    if conference is None or await Rating.exists().where(Rating.conference == conference["id"]):
        return 0
    questions = await Question.select().where(Question.conference == conference["id"]).order_by(Question.id)
    given = 0
    for n, (words, kind, dimensions, overall, comment) in enumerate(RATINGS):
        question = next((q for q in questions if words in q["title"]), None)
        if question is None:
            continue
        subject = next((s for s in await subjects_of(question) if s.kind == kind and s.rating is None), None)
        if subject is None:  # the documents stayed drafts (no Pango): nothing was answered or verified
            continue
        form = dict(zip(("information", "procedure", "attitude", "result", "feedback"), dimensions, strict=True))
        at = dt.datetime.combine(today - dt.timedelta(days=6 - n), dt.time(20), TZ)
        # the demo's private links are the tracking code followed by "-demo" (demo/session.py)
        await rate(question["tracking_code"], question["tracking_code"] + "-demo", subject.name,
                   {**form, "overall": overall, "comment": comment}, at)
        given += 1
    return given
