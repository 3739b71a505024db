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


# Tuned on the demo's 42 questions: no two unrelated ones reach it (the closest pair scores 68),
# 9 of its 11 pairs of near-duplicates do. A hint for the organiser, never an automatic merge.
LIKELY_DUPLICATE = 70.0


def resemblance(first: tuple[str, str], second: tuple[str, str]) -> float:
    """How alike two questions are, from their folded (title, title and text): the mean of the two
    word-order-tolerant scores. The title keeps shared stock phrases of the text ("đề nghị phường")
    from making unrelated questions look alike."""
    return (fuzz.token_set_ratio(first[0], second[0]) + fuzz.token_set_ratio(first[1], second[1])) / 2


def likely_duplicates(texts: list[tuple[str, str]], may_be_main: list[bool]) -> list[tuple[int, int] | None]:
    """For each question of a list, oldest first, the earliest one before it (its index and score)
    that may be a main question and that it resembles enough to be a likely duplicate: so a group
    points at one question, the one the merge form proposes as main. Quadratic: meant for one page
    of the queue (50 questions: at most about 1,200 comparisons)."""
    found: list[tuple[int, int] | None] = []
    for index, text in enumerate(texts):
        match = None
        for earlier in range(index):
            if may_be_main[earlier] and (score := resemblance(text, texts[earlier])) >= LIKELY_DUPLICATE:
                match = (earlier, round(score))
                break
        found.append(match)
    return found
