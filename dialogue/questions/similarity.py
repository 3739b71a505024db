"""Similar questions: a hint for the organiser who screens, so that one matter gets one answer, and
for the resident on the ask form, so that they can follow a question already asked.

Retrieve, then re-rank. An index of phrases narrows the candidates to the best ~50: for each of the
question's search terms (its places and the word pairs that carry its matter, likeness.search_terms),
the newest hundred questions of its unit that hold it, ranked by the terms they hold. The same
table and statement on both engines (question_phrase, an ordinary B-tree that stops after a hundred
rows whatever the size of the province). likeness.py then compares
profiles and gives each candidate a calibrated likelihood of being the same matter. Nothing below
SHOWN_FROM is shown. Both the organiser's hint and the public form read through `lookup()`.

`question_match` and `question_phrase` are kept in the transaction of every write that changes what it holds: the
submission, a question recorded in the hall, the organisers' edit of the public text, and every
change of state (a watcher on the question machine: merged, withdrawn, made public…).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from rapidfuzz import fuzz

from dialogue.core.db import RowInsert, write_transaction
from dialogue.core.vocabulary import N_, declare
from dialogue.questions import likeness
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question, SimilarityEntry, SimilarityPhrase

CANDIDATES = 50
PER_TERM = 100  # the newest entries read for each search term
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


@dataclass(frozen=True)
class NewEntry:
    """A submission's entry and phrases, computed before its unit of work (which gives the id)."""

    entry: SimilarityEntry
    phrases: list[int]

    def entry_insert(self, question_id: int) -> RowInsert:
        self.entry.question = question_id
        return RowInsert(self.entry)

    def phrases_insert(self, question_id: int):
        return _phrases_query([(key, question_id, self.entry.conference_unit) for key in self.phrases])


def new_entry(row: dict) -> NewEntry:
    """The entry of a question about to be written (a row of SOURCE_SQL's columns, its id unknown)."""
    profile = likeness.profile(row["public_summary"] or row["title"], row["public_text"] or row["body"])
    return NewEntry(entry_of(row, profile), phrase_keys(profile))


def _values(entry: SimilarityEntry) -> list:
    return [entry.question, entry.conference, entry.conference_unit, entry.created_at, entry.main_question,
            entry.listed, entry.text, entry.profile]


UPSERT_SQL = (
    "INSERT INTO question_match (question, conference, conference_unit, created_at, main_question, listed, text,"
    " profile) VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (question) DO UPDATE SET"
    " conference = excluded.conference, conference_unit = excluded.conference_unit,"
    " main_question = excluded.main_question, listed = excluded.listed, text = excluded.text,"
    " profile = excluded.profile")


def phrase_key(phrase: str) -> int:
    """A phrase as question_phrase holds it: a signed 64-bit hash (collisions cost a candidate the
    re-ranking turns away, never a hint)."""
    return int.from_bytes(hashlib.blake2b(phrase.encode(), digest_size=8).digest(), "big", signed=True)


def phrase_keys(profile: likeness.Profile) -> list[int]:
    return list(dict.fromkeys(phrase_key(phrase) for phrase in likeness.index_phrases(profile)))


PHRASES_PER_STATEMENT = 2000  # 6,000 parameters: under both engines' limits (a question has fewer)


def _phrases_query(rows: list[tuple[int, int, int]]):
    """One statement inserting question_phrase rows (phrase, question, conference_unit); None for none."""
    if not rows:
        return None
    return SimilarityPhrase.raw(
        "INSERT INTO question_phrase (phrase, question, conference_unit) VALUES "
        + ", ".join(["({}, {}, {})"] * len(rows)), *(value for row in rows for value in row))


async def _write_phrases(rows: list[tuple[int, int, int]]) -> None:
    for start in range(0, len(rows), PHRASES_PER_STATEMENT):
        await _phrases_query(rows[start:start + PHRASES_PER_STATEMENT])


async def keep(question_id: int) -> None:
    """Bring the question's entry and its phrases up to date, inside the caller's transaction (the
    phrases are written again only when the text they come from changed)."""
    rows = await Question.raw(SOURCE_SQL + " WHERE q.id = {}", question_id)
    before = await SimilarityEntry.select(SimilarityEntry.text).where(SimilarityEntry.question == question_id).first()
    if not rows or rows[0]["state"] == WITHDRAWN:
        await SimilarityPhrase.delete().where(SimilarityPhrase.question == question_id)
        await SimilarityEntry.delete().where(SimilarityEntry.question == question_id)
        return
    row = rows[0]
    profile = likeness.profile(row["public_summary"] or row["title"], row["public_text"] or row["body"])
    entry = entry_of(row, profile)
    await SimilarityEntry.raw(UPSERT_SQL, *_values(entry))
    if before is None or before["text"] != entry.text:
        await SimilarityPhrase.delete().where(SimilarityPhrase.question == question_id)
        await _write_phrases([(key, question_id, entry.conference_unit) for key in phrase_keys(profile)])


async def _question_changed(question: dict) -> None:
    await keep(question["id"])


QUESTION.watch(_question_changed)


async def rebuild(batch: int = 1000) -> int:
    """Every entry and phrase recomputed from the questions (a migration, a repair). Profiles of the
    same heading and text are computed once (the province data set repeats its texts); each batch of
    entries is one statement (Piccolo's insert builds its SQL row by row)."""
    profiles: dict[tuple[str, str], tuple[likeness.Profile, list[int]]] = {}
    count, last = 0, 0
    insert = UPSERT_SQL.split(" ON CONFLICT")[0].split(" VALUES")[0] + " VALUES "
    row_sql = "(" + ", ".join(["{}"] * 8) + ")"
    async with write_transaction():
        await SimilarityPhrase.delete(force=True)
        await SimilarityEntry.delete(force=True)
        while True:
            rows = await Question.raw(SOURCE_SQL + " WHERE q.id > {} AND q.state != {} ORDER BY q.id LIMIT {}",
                                      last, WITHDRAWN, batch)
            if not rows:
                break
            values, phrases = [], []
            for row in rows:
                key = (row["public_summary"] or row["title"], row["public_text"] or row["body"])
                if key not in profiles:
                    profile = likeness.profile(*key)
                    profiles[key] = (profile, phrase_keys(profile))
                profile, keys = profiles[key]
                values.extend(_values(entry_of(row, profile)))
                phrases.extend((phrase, row["id"], row["conference_unit"]) for phrase in keys)
            await SimilarityEntry.raw(insert + ", ".join([row_sql] * len(rows)), *values)
            await _write_phrases(phrases)
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
    """The best `limit` entries in scope for the search terms: each term's newest PER_TERM entries in
    scope (one statement: an index range read backwards, stopping there), ranked by the terms they
    hold, the places (first) three times, and a rare term (all of whose entries were read) twice.
    Ranking every entry that holds any term cost seconds at 100,000 questions (docs/similar-questions.md)."""
    if not terms:
        return []
    listed = " AND e.listed" if scope.listed_only else ""
    part = ("SELECT * FROM (SELECT p.question, {index} AS term FROM question_phrase p"
            " JOIN question_match e ON e.question = p.question WHERE p.phrase = {{}} AND p.conference_unit = {{}}"
            " AND p.question != {{}} AND (e.conference = {{}} OR e.created_at > {{}})" + listed
            + " ORDER BY p.question DESC LIMIT {{}}) AS t{index}")
    statement = " UNION ALL ".join(part.format(index=index) for index in range(len(terms)))
    args = [value for term in terms for value in (
        phrase_key(term), scope.conference_unit, scope.exclude, scope.conference, scope.since, PER_TERM)]
    held: dict[int, list[int]] = {}
    for row in await SimilarityPhrase.raw(statement, *args):
        held.setdefault(row["term"], []).append(row["question"])
    score: dict[int, float] = {}
    for term, questions in held.items():
        weight = (3 if term < 2 else 1) * (2 if len(questions) < PER_TERM else 1)
        for question in questions:
            score[question] = score.get(question, 0) + weight
    best = sorted(score, key=lambda question: (-score[question], -question))[:limit]
    if not best:
        return []
    found = {row["question"]: row for row in await SimilarityEntry.raw(
        "SELECT question, main_question, profile FROM question_match WHERE question IN ({})".format(
            ", ".join("{}" for _ in best)), *best)}
    return [found[question] for question in best if question in found]


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
