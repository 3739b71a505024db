"""A synthetic province for load tests and leaders' dashboards: Hà Nội's real communes, each holding
four conferences a year for some years, about a million questions in all with their assignments,
answers, commitments and their updates, ratings and surprise re-inspections.

The rows are made with plain Python (one seeded random.Random: the same options give the same data)
and written by the raw driver, not Piccolo: executemany in one transaction on SQLite, COPY on
PostgreSQL. Ids are given here (after each table's largest), so foreign keys line up without
reading anything back. Everything is written in one transaction: a run that fails leaves nothing,
and the leadership account it adds marks the data set as there (a second run adds nothing).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dialogue.accounts.commands import hash_password
from dialogue.accounts.tables import StaffUser
from dialogue.core.calendar import WorkingCalendar
from dialogue.core.settings import Settings
from dialogue.core.text import fold
from dialogue.demo import DEMO_PASSWORD
from dialogue.demo.province_texts import (
    ANSWERS,
    COMMITMENTS,
    COMMUNE_OFFICES,
    COMMUNE_PLACES,
    COMPANIES,
    DEPARTMENTS,
    DONE,
    FAMILY,
    FAMILY_WEIGHTS,
    FINDINGS,
    FORWARDED_TO,
    HAMLETS,
    LATE_DEPARTMENTS,
    NAMES,
    ORGANISATIONS,
    PROGRESS,
    QUESTIONS,
    REJECTIONS,
    STREETS,
    TOPICS,
    WARD_PLACES,
)
from dialogue.inspections.report import issuer
from dialogue.questions import likeness, similarity
from dialogue.questions.intake import CODE_LENGTH, CROCKFORD
from dialogue.questions.machine import QUESTION
from dialogue.reference.calendar import SCREENING_DAYS, working_calendar
from dialogue.reference.loading import load_admin_units, seed_holidays
from dialogue.reference.tables import AdminUnit

PROVINCE_CODE = "01"  # Thành phố Hà Nội: 126 communes and wards since 1 July 2025
MARKER_EMAIL = "leader@hanoi.demo"  # the province's leadership account: there once the data set is
ORGANISER_EMAIL = "organiser@hanoi.demo"
TOPIC_PREFIX = "hn_"
ANSWER_DAYS = 10  # working days an agency has to answer once a question is routed
LATE_SHARE, USUAL_LATE_SHARE = 0.40, 0.05
UTC = dt.UTC
VN_OFFSET = dt.timedelta(hours=7)  # Vietnam keeps UTC+7 all year: no zone lookups for a million rows

COLUMNS = {
    "agency": ("id", "name", "short_name", "name_folded", "unit", "email", "active"),
    "staff_user": ("id", "email", "full_name", "position", "password_hash", "role", "agency", "unit", "active",
                   "language", "auth_version", "created_at", "last_sign_in_at"),
    "topic": ("id", "code", "name_vi", "name_en", "audience", "unit", "default_agency", "position", "active"),
    "conference": ("id", "title", "title_folded", "kind", "unit", "co_organiser", "starts_at", "ends_at", "venue",
                   "online_url", "description", "questions_open_at", "questions_close_at", "release_policy",
                   "state", "answer_days", "created_at"),
    "conference_topic": ("id", "conference", "topic"),
    "question": ("id", "conference", "tracking_code", "manage_token_hash", "form_token", "asker_kind", "asker_name",
                 "asker_email", "asker_phone", "organisation_name", "tax_code", "tax_code_unverified", "unit", "topic",
                 "title", "body", "search_folded", "answer_mode", "public_consent", "data_consent_at", "language",
                 "state", "submitted_from", "public_summary", "public_text", "decision_category", "decision_reason",
                 "forwarded_to", "merged_into", "screening_due_on", "answer_due_on", "origin", "returned_by_agency",
                 "created_at", "updated_at"),
    "question_match": ("id", "question", "conference", "conference_unit", "created_at", "main_question", "listed",
                       "text", "profile"),
    "question_phrase": ("id", "phrase", "question", "conference_unit"),
    "assignment": ("id", "question", "agency", "role", "assigned_at", "due_on", "active", "returned_reason"),
    "answer": ("id", "question", "agency", "body", "legal_basis", "state", "version", "return_comment", "updated_by",
               "updated_at", "approved_by", "approved_at", "answered_on", "working_days", "published_at",
               "at_session"),
    "commitment": ("id", "conference", "question", "text", "expected_output", "origin", "lead_agency", "due_on",
                   "due_working_days", "original_due_on", "state", "progress", "done_summary", "outcome",
                   "closed_at", "version", "created_by", "created_at", "updated_at"),
    "commitment_update": ("id", "commitment", "agency", "note", "percent", "author", "at"),
    "rating": ("id", "subject_key", "question", "subject", "commitment", "agency", "conference", "information",
               "procedure", "attitude", "result", "feedback", "overall", "comment", "created_at"),
    "inspection_round": ("id", "unit", "title", "period_from", "period_to", "seed", "sample_size", "sample_percent",
                         "population_size", "state", "report", "report_docx", "closed_at", "version", "created_by",
                         "created_at"),
    "inspection_item": ("id", "round", "commitment", "how", "finding", "findings", "visited_on", "inspector",
                        "recorded_at"),
}
TABLES = tuple(COLUMNS)


def local(day: dt.date, minutes: int) -> dt.datetime:
    """`minutes` after midnight of `day` in Hà Nội, as a UTC datetime."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(minutes=minutes) - VN_OFFSET


def local_day(moment: dt.datetime) -> dt.date:
    return (moment + VN_OFFSET).date()


# --- Writing: the raw driver of each engine -------------------------------------------------------------------


class SQLiteSink:
    """One transaction on the file, with the sync to disk off while it loads (a failed load rolls back)."""

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=OFF")
        self.connection.execute("BEGIN IMMEDIATE")

    async def max_id(self, table: str) -> int:
        return self.connection.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]

    async def write(self, table: str, rows: list[tuple]) -> None:
        columns = COLUMNS[table]
        self.connection.executemany(
            f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})', rows)

    async def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("ANALYZE")

    async def count(self, table: str) -> int:
        return self.connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

    async def close(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")
        self.connection.close()


class PostgresSink:
    """COPY into each table inside one transaction; the id sequences are moved past the ids given here."""

    @classmethod
    async def open(cls, url: str) -> PostgresSink:
        import asyncpg

        sink = cls()
        sink.connection = await asyncpg.connect(url)
        sink.transaction = sink.connection.transaction()
        await sink.transaction.start()
        return sink

    async def max_id(self, table: str) -> int:
        return await self.connection.fetchval(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')

    async def write(self, table: str, rows: list[tuple]) -> None:
        await self.connection.copy_records_to_table(table, records=rows, columns=COLUMNS[table])

    async def commit(self) -> None:
        for table in TABLES:
            await self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)')
        await self.transaction.commit()
        self.transaction = None
        await self.connection.execute("ANALYZE")

    async def count(self, table: str) -> int:
        return await self.connection.fetchval(f'SELECT COUNT(*) FROM "{table}"')

    async def close(self) -> None:
        if self.transaction is not None:
            await self.transaction.rollback()
        await self.connection.close()


async def open_sink(settings: Settings) -> SQLiteSink | PostgresSink:
    if settings.database_engine == "sqlite":
        return SQLiteSink(str(settings.sqlite_path))
    return await PostgresSink.open(settings.database_url)


# --- The province -----------------------------------------------------------------------------------------------


@dataclass
class Options:
    communes: int = 126
    years: int = 5
    per_conference: int = 400
    seed: int = 20250701
    end: dt.date = field(default_factory=dt.date.today)


@dataclass
class Agency:
    id: int
    name: str
    head: int  # the head's staff account
    late: bool  # answers late four times in ten
    mean_score: float  # what askers think of it, on average


@dataclass
class Commune:
    id: int
    name: str
    kind: str
    slug: str
    words: str  # "phường Ba Đình"
    issuer: dict
    offices: dict[str, Agency]
    places: list[tuple[str, str]]  # (place, folded)


class Ids:
    """The next id of each table, after the largest already there."""

    def __init__(self, start: dict[str, int]) -> None:
        self.last = dict(start)

    def next(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


class Province:
    def __init__(self, options: Options, calendar: WorkingCalendar, ids: Ids, now: dt.datetime) -> None:
        self.options, self.calendar, self.ids, self.now = options, calendar, ids, now
        self.today = local_day(now)
        self.random = random.Random(options.seed)
        self.rows: dict[str, list[tuple]] = {table: [] for table in TABLES}
        self._due: dict[tuple[dt.date, int], dt.date] = {}
        self.topics: list[tuple[str, int, str]] = []  # (code, id, commune office)
        self.topic_weights: list[int] = []
        self.departments: dict[str, Agency] = {}  # by topic code
        self.templates = {code: [(t, b, fold(t), fold(b)) for t, b in texts] for code, texts in QUESTIONS.items()}
        self.entries: dict[tuple[str, str], tuple[str, str]] = {}  # similar-question entries by text

    def working_day(self, day: dt.date, days: int) -> dt.date:
        """`days` working days after `day`, remembered (a million questions fall on a few thousand days)."""
        key = (day, days)
        if key not in self._due:
            self._due[key] = self.calendar.add_working_days(day, days)
        return self._due[key]

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def take_rows(self) -> dict[str, list[tuple]]:
        rows, self.rows = self.rows, {table: [] for table in TABLES}
        return rows

    # --- Names ---

    def person(self) -> str:
        r = self.random
        middles, givens = r.choice(NAMES)
        return f"{r.choices(FAMILY, FAMILY_WEIGHTS)[0]} {r.choice(middles)} {r.choice(givens)}"

    def places(self, ward: bool) -> list[tuple[str, str]]:
        r, made = self.random, set()
        while len(made) < 40:
            pattern = r.choice(WARD_PLACES if ward else COMMUNE_PLACES)
            hamlet, hamlet2 = r.sample(HAMLETS, 2)
            made.add(pattern.format(n=r.randint(2, 380), m=r.randint(2, 120), k=r.randint(1, 25),
                                    street=r.choice(STREETS), hamlet=hamlet, hamlet2=hamlet2))
        return [(place, fold(place)) for place in sorted(made)]

    # --- Agencies, accounts, topics ---

    def agency(self, name: str, short: str, unit: int, email: str, position: str, late: bool) -> Agency:
        agency_id, head_id = self.ids.next("agency"), self.ids.next("staff_user")
        self.add("agency", (agency_id, name, short, fold(name), unit, email, True))
        self.add("staff_user", (head_id, f"head.{email}", self.person(), position, self.password_hash,
                                "agency_head", agency_id, None, True, "vi", 1, self.now, None))
        mean = self.random.gauss(3.1 if late else 3.9, 0.3)
        return Agency(agency_id, name, head_id, late, mean)

    def account(self, email: str, role: str, unit: int, position: str) -> int:
        staff_id = self.ids.next("staff_user")
        self.add("staff_user", (staff_id, email, self.person(), position, self.password_hash, role, None, unit, True,
                                "vi", 1, self.now, None))
        return staff_id

    def setup(self, province_id: int, units: list[dict], issuers: list[dict], password_hash: str) -> list[Commune]:
        self.password_hash = password_hash
        departments = {}
        for short, name, position, topics in DEPARTMENTS:
            email = fold(short).replace(" ", "") + "@hanoi.demo.gov.vn"
            departments[short] = agency = self.agency(name, short, province_id, email, position,
                                                      short in LATE_DEPARTMENTS)
            for code in topics:
                self.departments[code] = agency
        self.organiser = self.account(ORGANISER_EMAIL, "organiser", province_id, "Chuyên viên Văn phòng UBND thành phố")
        self.account(MARKER_EMAIL, "viewer", province_id, "Phó Chủ tịch UBND thành phố")
        for position, (code, name_vi, name_en, audience, office, weight) in enumerate(TOPICS):
            topic_id = self.ids.next("topic")
            self.add("topic", (topic_id, TOPIC_PREFIX + code, name_vi, name_en, audience, province_id,
                               self.departments[code].id, position, True))
            self.topics.append((code, topic_id, office))
            self.topic_weights.append(weight)
        communes = []
        for n, (unit, unit_issuer) in enumerate(zip(units, issuers, strict=True)):
            ward = unit["kind"].casefold() == "phường"
            slug = fold(unit_issuer["place_name"]).replace(" ", "-")
            offices = {}
            for short, (ward_name, commune_name), position in COMMUNE_OFFICES:
                name = f"{ward_name if ward else commune_name} {unit_issuer['unit_words']}"
                if short == "CA":
                    name, position = f"Công an {unit_issuer['unit_words']}", f"{position} {unit['kind'].casefold()}"
                # In one commune in eight the economic office is systematically late too.
                late = short == "KT" and n % 8 == 3
                offices[short] = self.agency(name, short, unit["id"], f"{fold(short).replace(' ', '')}.{slug}"
                                             "@hanoi.demo.gov.vn", position, late)
            if n == 0:
                self.account(f"leader@{slug}.demo", "viewer", unit["id"], f"Chủ tịch UBND {unit_issuer['unit_words']}")
            communes.append(Commune(unit["id"], unit["name"], unit["kind"], slug, unit_issuer["unit_words"],
                                    unit_issuer, offices, self.places(ward)))
        return communes

    # --- Conferences of one commune ---

    def conference_days(self, commune: Commune) -> list[dt.date]:
        """Four a year, oldest first: the newest a few weeks after the last day, the others a quarter apart."""
        r = self.random
        newest = self.today + dt.timedelta(days=r.randint(5, 35))
        days = []
        for k in range(4 * self.options.years):
            day = newest - dt.timedelta(days=91 * k + r.randint(-6, 6))
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)  # the Friday before
            days.append(day)
        return days[::-1]

    def commune(self, commune: Commune) -> None:
        commitments: list[dict] = []
        for day in self.conference_days(commune):
            self.conference(commune, day, commitments)
        self.inspections(commune, commitments)

    def conference(self, commune: Commune, day: dt.date, commitments: list[dict]) -> None:
        r, options = self.random, self.options
        conference_id = self.ids.next("conference")
        quarter = ["I", "II", "III", "IV"][(day.month - 1) // 3]
        title = f"Hội nghị đối thoại giữa Chủ tịch UBND {commune.words} với Nhân dân quý {quarter}/{day.year}"
        starts, ends = local(day, 8 * 60), local(day, 11 * 60 + 30)
        opens_on, closes_on = day - dt.timedelta(days=56), day - dt.timedelta(days=3)
        closes = local(closes_on, 17 * 60)
        if starts > self.now:
            state = "open" if closes > self.now else "closed"
        else:
            state = "concluded" if (self.today - day).days < 180 else "followed_up"
        self.add("conference", (
            conference_id, title, fold(title), "residents", commune.id,
            f"Ủy ban Mặt trận Tổ quốc Việt Nam {commune.words}", starts, ends, f"Hội trường UBND {commune.words}", "",
            "Chủ tịch Ủy ban nhân dân chủ trì, phối hợp với Ủy ban Mặt trận Tổ quốc Việt Nam tổ chức đối thoại trực "
            "tiếp với Nhân dân về những vấn đề người dân quan tâm.",
            local(opens_on, 7 * 60), closes, "at_session", state, ANSWER_DAYS, local(opens_on - dt.timedelta(days=7),
                                                                                      9 * 60)))
        for _code, topic_id, _office in self.topics:
            self.add("conference_topic", (self.ids.next("conference_topic"), conference_id, topic_id))
        span = (closes_on - opens_on).days
        if closes > self.now:  # still taking questions: only those received by now, as many as the days passed
            span = max(0, (self.today - opens_on).days)
        count = round(options.per_conference * span / (closes_on - opens_on).days)
        received = sorted(local(opens_on + dt.timedelta(days=r.randint(0, span)), r.randint(6 * 60, 22 * 60 + 59))
                          for _ in range(count))
        last_routed: dict[int, int] = {}  # topic -> the latest routed question, for merges
        conference = {"id": conference_id, "starts": starts, "title": title}
        for created in received:
            if created <= self.now:
                self.question(commune, conference, created, last_routed, commitments)

    def question(self, commune: Commune, conference: dict, created: dt.datetime, last_routed: dict[int, int],
                 commitments: list[dict]) -> None:
        r, now = self.random, self.now
        question_id = self.ids.next("question")
        index = r.choices(range(len(self.topics)), self.topic_weights)[0]
        code, topic_id, office = self.topics[index]
        title, body, title_folded, body_folded = r.choice(self.templates[code])
        place, place_folded = r.choice(commune.places)
        title, body = title.format(place=place), body.format(place=place)
        folded = f"{title_folded.format(place=place_folded)} {body_folded.format(place=place_folded)}"
        kind = r.choices(("resident", "business", "organisation"), (85, 10, 5))[0]
        asker, organisation, tax_code = self.person(), "", ""
        if kind == "business":
            organisation = r.choice(COMPANIES).format(f=r.choice(("Hà", "Hồng", "Thăng Long", "Phú", "Minh")),
                                                      g=r.choice(("An", "Phát", "Thành", "Việt", "Long")))
            tax_code = "0100233488"
        elif kind == "organisation":
            organisation = r.choice(ORGANISATIONS).format(place=place)
        email = f"nguoidan{question_id}@example.vn" if r.random() < 0.6 else ""
        phone = f"+849{r.randint(10000000, 99999999)}" if r.random() < 0.5 else ""
        session = r.random() < 0.2
        received_on = local_day(created)
        screening_due = self.working_day(received_on, SCREENING_DAYS)
        screened = local(self.working_day(received_on, r.choice((1, 1, 2, 2, 3, 4, 5, 7))), r.randint(480, 1020))

        state, updated, category, reason, forwarded, merged_into, due = "submitted", created, "", "", "", None, None
        fate = r.random()
        if fate < 0.03:
            state, updated = "withdrawn", created + (min(screened, now) - created) * r.random()
        elif screened > now:
            pass  # still to be screened
        elif fate < 0.08:
            category, reason = r.choice(REJECTIONS)
            state, updated = "rejected", screened
        elif fate < 0.12:
            state, updated, forwarded = "forwarded", screened, r.choice(FORWARDED_TO)
            reason = f"Nội dung thuộc thẩm quyền của {forwarded}; câu hỏi đã được chuyển đến cơ quan này."
        elif fate < 0.18 and topic_id in last_routed:
            state, updated, merged_into = "merged", screened, last_routed[topic_id]
        else:
            routed_on = self.working_day(local_day(screened), r.choice((0, 0, 0, 1)))
            routed = max(screened, local(routed_on, r.randint(480, 1020)))
            if routed > now:
                state, updated = "accepted", screened
            else:
                last_routed[topic_id] = question_id
                due = self.working_day(routed_on, ANSWER_DAYS)
                agency = self.departments[code] if r.random() < 0.15 else commune.offices[office]
                state, updated = self.route(question_id, agency, routed, routed_on, due, session, conference, code,
                                            place, commitments)
        public = r.random() < 0.7
        self.add("question", (
            question_id, conference["id"], self.tracking_code(), f"{r.getrandbits(256):064x}",
            f"province-{question_id}", kind, asker, email, phone, organisation, tax_code, False, commune.id, topic_id,
            title, body, folded, "session" if session else "writing", public, created, "vi", state, "demo",
            "", "", category, reason, forwarded, merged_into, screening_due, due, "online", False, created, updated))
        if state != "withdrawn":  # its similar-question entry, as a submission writes it (similarity.py)
            text, profile, phrases = self.similarity_entry(title, body)
            self.add("question_match", (
                self.ids.next("question_match"), question_id, conference["id"], commune.id, created, merged_into,
                public and QUESTION.is_in("public", state), text, profile))
            for phrase in phrases:
                self.add("question_phrase", (self.ids.next("question_phrase"), phrase, question_id, commune.id))

    def similarity_entry(self, title: str, body: str) -> tuple[str, str, list[int]]:
        """The entry's text, profile and phrases; computed once per text (the texts repeat across questions)."""
        key = (title, body)
        if key not in self.entries:
            profile = likeness.profile(title, body)
            entry = similarity.entry_of({
                "id": 0, "conference": 0, "conference_unit": 0, "created_at": None, "merged_into": None,
                "state": "", "public_consent": False, "title": title, "body": body, "public_summary": "",
                "public_text": ""}, profile)
            self.entries[key] = (entry.text, entry.profile, similarity.phrase_keys(profile))
        return self.entries[key]

    def tracking_code(self) -> str:
        bits = self.random.getrandbits(5 * CODE_LENGTH)
        return "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in range(CODE_LENGTH))

    def route(self, question_id: int, agency: Agency, routed: dt.datetime, routed_on: dt.date, due: dt.date,
              session: bool, conference: dict, code: str, place: str,
              commitments: list[dict]) -> tuple[str, dt.datetime]:
        """The lead assignment and the answer; returns the question's state and last change."""
        r, now = self.random, self.now
        self.add("assignment", (self.ids.next("assignment"), question_id, agency.id, "lead", routed, due, True, ""))
        if r.random() < (LATE_SHARE if agency.late else USUAL_LATE_SHARE):
            days = r.randint(ANSWER_DAYS + 1, ANSWER_DAYS + (20 if agency.late else 8))
        else:
            days = min(ANSWER_DAYS, max(1, round(r.triangular(1, ANSWER_DAYS, 7))))
        answered_on = self.working_day(routed_on, days)
        approved = local(answered_on, r.randint(480, 1020))
        text, legal_basis = ANSWERS[code]
        if approved > now:  # still with the agency: a draft, one waiting for the head, or nothing yet
            if r.random() < 0.6:
                drafted = routed + (now - routed) * r.random()
                state = r.choice(("draft", "draft", "submitted", "returned"))
                comment = "Đề nghị bổ sung căn cứ pháp lý và thời hạn thực hiện." if state == "returned" else ""
                self.add("answer", (self.ids.next("answer"), question_id, agency.id, text, legal_basis, state,
                                    1 + (state != "draft"), comment, agency.head, drafted, None, None, None, None,
                                    None, session))
            return "assigned", routed
        published = max(approved, conference["starts"])  # held for the session, published at it
        answer_state = "published" if published <= now else "approved"
        self.add("answer", (self.ids.next("answer"), question_id, agency.id, text, legal_basis, answer_state,
                            r.choice((1, 1, 2, 3)), "", agency.head, approved, agency.head, approved, answered_on,
                            days, published if answer_state == "published" else None, session))
        if answer_state == "approved":
            return "assigned", approved
        if r.random() < 0.17:
            commitments.append(self.commitment(question_id, agency, conference, answered_on, published, code, place))
        if r.random() < 0.2:
            self.rating(f"question:{question_id}:answer", question_id, "answer", None, agency, conference["id"],
                        published)
        return "answered", published

    # --- Commitments, ratings, inspections ---

    def commitment(self, question_id: int, agency: Agency, conference: dict, answered_on: dt.date,
                   created: dt.datetime, code: str, place: str) -> dict:
        r, today = self.random, self.today
        commitment_id = self.ids.next("commitment")
        text, output = COMMITMENTS[code]
        text = text.format(place=place)
        due = answered_on + dt.timedelta(days=r.randint(20, 200))
        original_due = None
        reported = due + dt.timedelta(days=r.randint(-20, 90) if agency.late else r.randint(-60, 15))
        reported = max(reported, local_day(created) + dt.timedelta(days=5))
        if reported > due and r.random() < 0.5:  # asked for more time when the first date came
            original_due, due = due, due + dt.timedelta(days=r.randint(30, 90))
        state, progress, summary, outcome, closed, updates_until = "open", 0, "", None, None, today
        if r.random() < 0.02:
            cancelled = local_day(created) + dt.timedelta(days=r.randint(10, 60))
            if cancelled <= today:
                state, closed, updates_until = "cancelled", local(cancelled, 600), cancelled
        if state == "open":
            if reported <= today:
                progress, summary, updates_until = 100, DONE.format(output=output, place=place), reported
                checked = reported + dt.timedelta(days=r.randint(7, 45))
                if r.random() < (0.12 if agency.late else 0.05):
                    state = "disputed" if reported + dt.timedelta(days=14) <= today else "reported_done"
                elif checked <= today:
                    state, closed = "verified", local(checked, 900)
                    outcome = r.choices(("kept", "partly_kept", "not_kept"),
                                        (55, 25, 20) if agency.late else (78, 15, 7))[0]
                else:
                    state = "reported_done"
            elif original_due is not None and original_due <= today:
                state = "extended"
            elif (today - local_day(created)).days > 14:
                state = "in_progress"
        at = created
        if state in ("in_progress", "extended", "reported_done", "verified", "disputed"):
            span = max(1, (updates_until - local_day(created)).days)
            steps = sorted(r.sample(range(1, span + 1), min(span, r.randint(1, 3))))
            for n, offset in enumerate(steps):
                at = local(local_day(created) + dt.timedelta(days=offset), r.randint(480, 1020))
                percent = min(95, 25 * (n + 1) + r.randint(0, 15))
                self.add("commitment_update", (self.ids.next("commitment_update"), commitment_id, agency.id,
                                               PROGRESS[min(n, len(PROGRESS) - 1)], percent, agency.head, at))
                progress = max(progress, percent)
        updated = max(at, closed or at)
        self.add("commitment", (
            commitment_id, conference["id"], question_id, text, output, "answer", agency.id, due, None, original_due,
            state, progress, summary, outcome, closed, 1 + (state != "open") + (original_due is not None), None,
            created, updated))
        if state == "verified" and r.random() < 0.2 and closed + dt.timedelta(days=3) <= self.now:
            self.rating(f"question:{question_id}:commitment:{commitment_id}", question_id, "commitment",
                        commitment_id, agency, conference["id"], closed)
        done = state in ("reported_done", "verified", "disputed")
        return {"id": commitment_id, "text": text, "agency": agency, "conference": conference, "state": state,
                "outcome": outcome, "reported": reported if done else None}

    def rating(self, key: str, question_id: int, subject: str, commitment_id: int | None, agency: Agency,
               conference_id: int, after: dt.datetime) -> None:
        r = self.random
        at = after + dt.timedelta(days=r.randint(1, 20), minutes=r.randint(0, 600))
        if at > self.now:
            return

        def score() -> int:
            return min(5, max(1, round(r.gauss(agency.mean_score, 0.9))))

        dimensions = [score() if r.random() < 0.85 else None for _ in range(5)]
        self.add("rating", (self.ids.next("rating"), key, question_id, subject, commitment_id, agency.id,
                            conference_id, *dimensions, score(), "", at))

    def inspections(self, commune: Commune, commitments: list[dict]) -> None:
        """A surprise round a year: a sample of the commitments reported done from January to November,
        visited in December; the findings follow what the commitment's outcome says."""
        r = self.random
        for year in range(self.today.year - self.options.years, self.today.year + 1):
            period_from, period_to = dt.date(year, 1, 1), dt.date(year, 11, 30)
            planned, closing = dt.date(year, 12, 5), dt.date(year, 12, 22)
            if planned > self.today:
                continue
            population = [c for c in commitments if c["reported"] and period_from <= c["reported"] <= period_to]
            if not population:
                continue
            round_id = self.ids.next("inspection_round")
            sample = r.sample(population, min(len(population), r.randint(8, 12)))
            closed = closing <= self.today
            items = []
            for commitment in sample:
                visited = planned + dt.timedelta(days=r.randint(1, 15))
                if not closed and visited > self.today:
                    finding, visited = None, None
                else:
                    finding = self.finding(commitment)
                items.append((commitment, finding, visited))
                self.add("inspection_item", (
                    self.ids.next("inspection_item"), round_id, commitment["id"], "drawn", finding,
                    FINDINGS[finding] if finding else "", visited, None,
                    local(visited, 16 * 60) if visited else None))
            title = f"Kiểm tra đột xuất việc thực hiện cam kết năm {year} của {commune.words}"
            seed = f"{year}{commune.id}"
            report = self.report(commune, title, period_from, period_to, seed, len(population), items, planned,
                                 closing) if closed else {}
            self.add("inspection_round", (
                round_id, commune.id, title, period_from, period_to, seed, len(sample), None, len(population),
                "closed" if closed else "in_progress", json.dumps(report, ensure_ascii=False), None,
                local(closing, 15 * 60) if closed else None, 3 if closed else 2, self.organiser, local(planned, 540)))

    def finding(self, commitment: dict) -> str:
        weights = {"kept": (90, 8, 2), "partly_kept": (15, 70, 15), "not_kept": (5, 25, 70)}.get(
            commitment["outcome"], (35, 35, 30) if commitment["state"] == "disputed" else (70, 20, 10))
        return self.random.choices(("done", "partly", "not_done"), weights)[0]

    def report(self, commune: Commune, title: str, period_from: dt.date, period_to: dt.date, seed: str,
               population: int, items: list, planned: dt.date, closing: dt.date) -> dict:
        """The frozen report, shaped as dialogue.inspections.report.snapshot shapes it."""
        listed = [{
            "commitment": c["id"], "text": c["text"], "lead_agency": c["agency"].id,
            "lead_agency_name": c["agency"].name, "conference": c["conference"]["id"],
            "conference_title": c["conference"]["title"], "how": "drawn", "finding": finding,
            "findings": FINDINGS[finding], "visited_on": visited.isoformat(), "files": []}
            for c, finding, visited in items]
        by_agency: dict[int, dict] = {}
        for item in listed:
            row = by_agency.setdefault(item["lead_agency"], {
                "agency": item["lead_agency"], "name": item["lead_agency_name"], "inspected": 0, "done": 0,
                "partly": 0, "not_done": 0})
            row["inspected"] += 1
            row[item["finding"]] += 1
        return {
            "title": title, "unit_name": commune.name, "issuer": commune.issuer,
            "period_from": period_from.isoformat(), "period_to": period_to.isoformat(), "seed": seed,
            "population_size": population, "sample_size": len(items), "sample_percent": None,
            "drawn": len(items), "chosen": 0, "planned_on": planned.isoformat(), "closed_on": closing.isoformat(),
            "items": listed, "by_agency": sorted(by_agency.values(), key=lambda row: row["name"]),
            "totals": {"inspected": len(listed), **{f: sum(1 for i in listed if i["finding"] == f)
                                                    for f in ("done", "partly", "not_done")}}}


# --- Loading ----------------------------------------------------------------------------------------------------


async def load_province(settings: Settings, options: Options,
                        echo: Callable[[str], None] = print) -> dict[str, int] | None:
    """Generate and load the province. Returns the row count of each table after the load, or None
    if the province was loaded before (nothing is added). Piccolo must be bound to the database."""
    started = time.monotonic()
    if await StaffUser.exists().where(StaffUser.email == MARKER_EMAIL):
        echo(f"The province data set is already there ({MARKER_EMAIL} exists): nothing added.")
        return None
    if not await AdminUnit.exists().where((AdminUnit.code == PROVINCE_CODE) & (AdminUnit.level == "province")):
        echo("Loading the administrative units…")
        await load_admin_units(options.end)
    await seed_holidays(options.end.year - options.years - 1, options.end.year + 1)
    calendar = await working_calendar()
    province = await AdminUnit.select(AdminUnit.id).where(
        (AdminUnit.code == PROVINCE_CODE) & (AdminUnit.level == "province")).first()
    units = await AdminUnit.select(AdminUnit.id, AdminUnit.name, AdminUnit.kind, AdminUnit.code).where(
        (AdminUnit.parent == province["id"]) & (AdminUnit.level == "commune") & AdminUnit.valid_to.is_null()
    ).order_by(AdminUnit.code).limit(options.communes)
    issuers = [await issuer(unit["id"]) for unit in units]
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every account: argon2 takes a tenth of a second
    now = local(options.end, 17 * 60)

    sink = await open_sink(settings)
    try:
        ids = Ids({table: await sink.max_id(table) for table in TABLES})
        province_data = Province(options, calendar, ids, now)
        communes = province_data.setup(province["id"], units, issuers, password_hash)
        await write_all(sink, province_data.take_rows())
        echo(f"{len(communes)} communes of Hà Nội, {len(communes) * len(COMMUNE_OFFICES) + len(DEPARTMENTS)} agencies; "
             f"{4 * options.years} conferences each, about {options.per_conference} questions per conference.")
        for n, commune in enumerate(communes, start=1):
            province_data.commune(commune)
            await write_all(sink, province_data.take_rows())
            if n % 10 == 0 or n == len(communes):
                echo(f"  {n}/{len(communes)} communes, {ids.last['question'] :,} questions so far "
                     f"({time.monotonic() - started:.0f} s)")
        echo("Committing and analysing…")
        await sink.commit()
        counts = {table: await sink.count(table) for table in TABLES}
    finally:
        await sink.close()
    echo(f"Province loaded in {time.monotonic() - started:.0f} s.")
    return counts


async def write_all(sink: SQLiteSink | PostgresSink, rows: dict[str, list[tuple]]) -> None:
    for table in TABLES:  # in the order of their foreign keys
        if rows[table]:
            await sink.write(table, rows[table])

