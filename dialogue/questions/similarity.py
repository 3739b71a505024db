"""Similar questions: a hint for the organiser who screens, so that one matter gets one answer."""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz, process

from dialogue.conferences.queries import get_conference
from dialogue.core.text import fold
from dialogue.questions.tables import Question


async def similar(question: dict, limit: int = 5, minimum: float = 60.0) -> list[dict]:
    """The most similar questions of the same conference and of the same unit's recent conferences,
    by a word-order-tolerant score on diacritics-folded text (rapidfuzz token_set_ratio)."""
    conference = await get_conference(question["conference"])
    since = (question["created_at"] - dt.timedelta(days=730))
    # Score on the folded text only, then fetch the few winners' details.
    candidates = await Question.raw(
        "SELECT q.id, q.search_folded FROM question q JOIN conference c ON c.id = q.conference "
        "WHERE q.id != {} AND q.state != {} AND (q.conference = {} OR (c.unit = {} AND q.created_at > {}))",
        question["id"], Question.State.withdrawn.value, question["conference"], conference["unit"], since)
    if not candidates:
        return []
    target = question["search_folded"] or fold(question["title"] + " " + question["body"])
    matches = process.extract(target, [c["search_folded"] for c in candidates], scorer=fuzz.token_set_ratio,
                              limit=limit, score_cutoff=minimum)
    scores = {candidates[index]["id"]: round(score) for _text, score, index in matches}
    details = {row["id"]: row for row in await Question.select(
        Question.id, Question.tracking_code, Question.title, Question.state, Question.conference, Question.created_at,
        Question.conference.title.as_alias("conference_title"),
    ).where(Question.id.is_in(list(scores) or [0]))}
    return [{**details[question_id], "score": score} for question_id, score in scores.items() if question_id in details]
