"""Similar questions: a hint for the organiser who screens, so that one matter gets one answer, and
for the resident on the ask form, so that they can follow a question already asked.

Retrieve, then re-rank. A database index narrows the candidates to the best ~50 (the question's
places and the word pairs that carry its matter, searched in the normalised public text: FTS5 on its
words on SQLite, a pg_trgm GIN index on PostgreSQL); likeness.py then compares
profiles and gives each candidate a calibrated likelihood of being the same matter. Nothing below
SHOWN_FROM is shown. Both the organiser's hint and the public form read through `lookup()`.

`question_match` is kept in the transaction of every write that changes what it holds: the
submission, a question recorded in the hall, the organisers' edit of the public text, and every
change of state (a watcher on the question machine: merged, withdrawn, made public…).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from rapidfuzz import fuzz

from dialogue.core.db import on_postgres, write_transaction
from dialogue.core.vocabulary import N_, declare
from dialogue.questions import likeness
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question, SimilarityEntry

CANDIDATES = 50
PER_TERM = 100  # entries read per phrase on SQLite
SINCE_DAYS = 730  # the unit's conferences of the last two years, besides the question's own
WITHDRAWN = Question.State.withdrawn.value

# What an entry is made of, from the question and its conference.
SOURCE_SQL = (
    "SELECT q.id, q.conference, c.unit AS conference_unit, q.created_at, q.state, q.public_consent, q.merged_into,"
    " q.title, q.body, q.public_summary, q.public_text FROM question q JOIN conference c ON c.id = q.conference")


def entry_of(row: dict, profile: likeness.Profile | None = None) -> SimilarityEntry:
    """The entry of a question (a row of SOURCE_SQL): its public heading and text, as the public
    pages show them, so that what the public list matches on is only what the public may read."""
    profile = profile or likeness.profile(row["public_summary"] or row["title"], row["public_text"] or row["body"])
    state = row["state"]
    return SimilarityEntry(
        question=row["id"], conference=row["conference"], conference_unit=row["conference_unit"],
        created_at=row["created_at"], main_question=row["merged_into"],
        listed=bool(row["public_consent"]) and QUESTION.is_in("public", state),
        text=f" {profile.text} ", profile=json.dumps(profile.to_json(), ensure_ascii=False))


def for_question(entry: SimilarityEntry, question_id: int) -> SimilarityEntry:
    """The entry made before its question had an id (the submission's unit of work), given it."""
    entry.question = question_id
    return entry


def _values(entry: SimilarityEntry) -> list:
    return [entry.question, entry.conference, entry.conference_unit, entry.created_at, entry.main_question,
            entry.listed, entry.text, entry.profile]


UPSERT_SQL = (
    "INSERT INTO question_match (question, conference, conference_unit, created_at, main_question, listed, text,"
    " profile) VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (question) DO UPDATE SET"
    " conference = excluded.conference, conference_unit = excluded.conference_unit,"
    " main_question = excluded.main_question, listed = excluded.listed, text = excluded.text,"
    " profile = excluded.profile")


async def keep(question_id: int) -> None:
    """Bring the question's entry up to date, inside the caller's transaction."""
    rows = await Question.raw(SOURCE_SQL + " WHERE q.id = {}", question_id)
    if not rows or rows[0]["state"] == WITHDRAWN:
        await SimilarityEntry.delete().where(SimilarityEntry.question == question_id)
        return
    await SimilarityEntry.raw(UPSERT_SQL, *_values(entry_of(rows[0])))


async def _question_changed(question: dict) -> None:
    await keep(question["id"])


QUESTION.watch(_question_changed)


async def rebuild(batch: int = 1000) -> int:
    """Every entry recomputed from the questions (a migration, a repair). Profiles of the same
    heading and text are computed once (the province data set repeats its texts); each batch is
    one statement (Piccolo's insert builds its SQL row by row)."""
    profiles: dict[tuple[str, str], likeness.Profile] = {}
    count, last = 0, 0
    insert = UPSERT_SQL.split(" ON CONFLICT")[0].split(" VALUES")[0] + " VALUES "
    row_sql = "(" + ", ".join(["{}"] * 8) + ")"
    async with write_transaction():
        await SimilarityEntry.delete(force=True)
        while True:
            rows = await Question.raw(SOURCE_SQL + " WHERE q.id > {} AND q.state != {} ORDER BY q.id LIMIT {}",
                                      last, WITHDRAWN, batch)
            if not rows:
                break
            values = []
            for row in rows:
                key = (row["public_summary"] or row["title"], row["public_text"] or row["body"])
                if key not in profiles:
                    profiles[key] = likeness.profile(*key)
                values.extend(_values(entry_of(row, profiles[key])))
            await SimilarityEntry.raw(insert + ", ".join([row_sql] * len(rows)), *values)
            count += len(rows)
            last = rows[-1]["id"]
    return count


# --- Lookup ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    conference: int
    conference_unit: int
    since: dt.datetime
    listed_only: bool  # the public list: only what the public pages show
    exclude: int = 0  # the question itself


async def candidates(terms: list[str], scope: Scope, limit: int = CANDIDATES) -> list[dict]:
    """The best `limit` entries in scope for the phrases, by the index."""
    if not terms:
        return []
    listed = " AND e.listed" if scope.listed_only else ""
    where = (" AND e.question != {} AND (e.conference = {} OR (e.conference_unit = {} AND e.created_at > {}))"
             + listed)
    args = [scope.exclude, scope.conference, scope.conference_unit, scope.since]
    if on_postgres():
        # The GIN trigram index finds the entries holding any phrase; they are ranked by the phrases
        # they hold, the places (first) counting three times, longer phrases more.
        weights = [3 if index < 2 else 1 for index in range(len(terms))]
        patterns = [f"% {term} %" for term in terms]
        score = " + ".join(f"(CASE WHEN e.text LIKE {{}} THEN {w * (1 + len(t) / 10):.2f} ELSE 0 END)"
                           for w, t in zip(weights, terms, strict=True))
        return await SimilarityEntry.raw(
            f"SELECT e.question, e.main_question, e.profile, {score} AS score FROM question_match e"
            f" WHERE e.text LIKE ANY({{}}){where} ORDER BY score DESC, e.question DESC LIMIT {{}}",
            *patterns, patterns, *args, limit)
    # FTS5 on words: each phrase's most recent PER_TERM entries in scope (its doclist read newest
    # first, stopping there), ranked by the phrases they hold: the places (first) three times, and a
    # phrase with fewer entries than that (a rare one, all of whose entries were read) twice.
    # Ranking every entry holding any phrase by BM25 cost ~100 ms at 100,000 questions.
    score: dict[int, float] = {}
    for index, term in enumerate(terms):
        rows = await SimilarityEntry.raw(
            "SELECT e.id FROM question_match_fts f JOIN question_match e ON e.id = f.rowid"
            f" WHERE question_match_fts MATCH {{}}{where} ORDER BY f.rowid DESC LIMIT {{}}",
            f'"{term}"', *args, PER_TERM)
        weight = (3 if index < 2 else 1) * (2 if len(rows) < PER_TERM else 1)
        for row in rows:
            score[row["id"]] = score.get(row["id"], 0) + weight
    best = sorted(score, key=lambda entry: (-score[entry], -entry))[:limit]
    if not best:
        return []
    found = {row["id"]: row for row in await SimilarityEntry.raw(
        "SELECT id, question, main_question, profile FROM question_match WHERE id IN ({})".format(
            ", ".join("{}" for _ in best)), *best)}
    return [found[entry] for entry in best if entry in found]


@dataclass(frozen=True)
class Hint:
    question: int  # the main question, for one that was merged
    likelihood: float
    very_likely: bool
    same_places: tuple[str, ...]  # kinds of place both name
    shared_problems: tuple[str, ...]


# The words a hint gives for why: word("similar_place", kind), word("problem_kind", kind).
declare("similar_place", {
    "house": N_("house number"), "alley": N_("alley"), "group": N_("residential group"), "street": N_("street"),
    "ward": N_("ward or commune"), "project": N_("project or site"),
})
declare("problem_kind", {kind: label for kind, (label, _phrases) in likeness.PROBLEMS.items()})


def rank(target: likeness.Profile, found: list[dict], limit: int) -> list[Hint]:
    """The candidates likely to be the same matter as the target, most likely first; one hint per
    main question (a merged question counts for the one it joined)."""
    profiles = [likeness.Profile.from_json(json.loads(row["profile"])) for row in found]
    rarity = likeness.rarity_of([target, *profiles])
    best: dict[int, Hint] = {}
    for row, profile in zip(found, profiles, strict=True):
        comparison = likeness.compare(target, profile, rarity)
        p = likeness.likelihood(comparison)
        if p < likeness.SHOWN_FROM or not likeness.has_a_reason(comparison.features):
            continue
        main = row["main_question"] or row["question"]
        if main not in best or p > best[main].likelihood:
            best[main] = Hint(main, p, p >= likeness.VERY_LIKELY_FROM,
                              tuple(dict.fromkeys(kind for kind, _ in comparison.same_places)),
                              comparison.shared_problems)
    return sorted(best.values(), key=lambda hint: -hint.likelihood)[:limit]


async def lookup(target: likeness.Profile, scope: Scope, limit: int = 5) -> list[Hint]:
    return rank(target, await candidates(likeness.search_terms(target), scope), limit)


def _since(moment: dt.datetime) -> dt.datetime:
    return moment - dt.timedelta(days=SINCE_DAYS)


DETAILS_SQL = (
    "SELECT q.id, q.tracking_code, q.title, q.public_summary, q.state, q.conference, q.created_at, q.public_consent,"
    " c.title AS conference_title FROM question q JOIN conference c ON c.id = q.conference WHERE q.id IN ({})")


async def _details(hints: list[Hint], exclude: int, public: bool) -> list[dict]:
    ids = [hint.question for hint in hints if hint.question != exclude]
    if not ids:
        return []
    rows = {row["id"]: row for row in await Question.raw(DETAILS_SQL.format(", ".join("{}" for _ in ids)), *ids)}
    out = []
    for hint in hints:
        row = rows.get(hint.question)
        if row is None or row["state"] == WITHDRAWN:
            continue
        if public and not (row["public_consent"] and QUESTION.is_in("public", row["state"])):
            continue  # a listed duplicate of a main question the public may not see
        out.append({**row, "heading": row["public_summary"] or row["title"], "likelihood": round(hint.likelihood, 2),
                    "very_likely": hint.very_likely, "same_places": hint.same_places,
                    "shared_problems": hint.shared_problems})
    return out


async def similar(question: dict, limit: int = 5) -> list[dict]:
    """The organiser's hint: the questions of the same conference, and of the unit's conferences of
    the last two years, likely to be the same matter as this one, with why."""
    rows = await SimilarityEntry.raw(
        "SELECT e.profile, c.unit FROM conference c LEFT JOIN question_match e ON e.question = {}"
        " WHERE c.id = {}", question["id"], question["conference"])
    if not rows:
        return []
    if rows[0]["profile"]:
        target = likeness.Profile.from_json(json.loads(rows[0]["profile"]))
    else:  # a question written before its entry (none is, since the migration): profiled now
        target = likeness.profile(question["public_summary"] or question["title"],
                                  question["public_text"] or question["body"])
    scope = Scope(question["conference"], rows[0]["unit"], _since(question["created_at"]), False, question["id"])
    return await _details(await lookup(target, scope, limit), question["id"], public=False)


async def similar_public(conference: dict, heading: str, text: str, now: dt.datetime, limit: int = 5) -> list[dict]:
    """The questions already asked, in public, that look like what a resident is typing."""
    target = likeness.profile(heading or "", text or "")
    scope = Scope(conference["id"], conference["unit"], _since(now), True)
    return await _details(await lookup(target, scope, limit), 0, public=True)


# --- The screening queue's marks -----------------------------------------------------------------------

# Tuned on the demo's 42 questions: no two unrelated ones reach it (the closest pair scores 68),
# 9 of its 11 pairs of near-duplicates do. A mark on one page of the queue, never an automatic merge.
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
