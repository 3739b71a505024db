"""The app as served in production, plus the reference endpoints the benchmark compares it with.

The references run in the same process, behind the same middleware, but reach the database with
the raw driver: aiosqlite on one connection with the app's pragmas, or asyncpg with a pool.
  POST /bench/reference/ask/{id}     the same three inserts as a question submission, one transaction
  GET  /bench/reference/conference/{id}  the same rows as the public conference page, same template
Run: uvicorn --factory tests.bench.server:create_bench_app
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
import uuid

import aiosqlite
import asyncpg
from litestar import Litestar, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from dialogue.conferences.queries import with_flags
from dialogue.core.db import SQLITE_CONNECTION_PRAGMAS
from dialogue.core.settings import get_settings
from dialogue.core.text import fold
from dialogue.questions.machine import QUESTION, REJECTION_CATEGORIES
from dialogue.web.app import create_app

MAIL_TEXT = "x" * 900  # about the size of a rendered confirmation e-mail
MAIL_HTML = "x" * 2200

QUESTION_INSERT = """INSERT INTO question (conference, tracking_code, manage_token_hash, form_token, asker_kind,
 asker_name, asker_email, asker_phone, organisation_name, tax_code, tax_code_unverified, unit, topic, title, body,
 search_folded, answer_mode, public_consent, data_consent_at, language, state, submitted_from, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"""
LOG_INSERT = """INSERT INTO action_log (at, actor_kind, actor, actor_ref, action, object_type, object_id, from_state,
 to_state, reason, details) VALUES (?, 'public', NULL, ?, 'submitted', 'question', ?, '', 'submitted', '', '{}')"""
OUTBOX_INSERT = """INSERT INTO outbox_message (message_id, to_address, subject, text_body, html_body, headers, kind,
 unit, created_at, next_attempt_at, attempts, last_error, claimed_by, claimed_until, sent_at)
 VALUES (?, ?, ?, ?, ?, '{}', 'question_received', ?, ?, ?, 0, '', '', NULL, NULL)"""
CONFERENCE_SELECT = """SELECT c.*, u.name AS unit_name, u.code AS unit_code, p.name AS province_name
 FROM conference c JOIN admin_unit u ON u.id = c.unit LEFT JOIN admin_unit p ON p.id = u.parent WHERE c.id = ?"""
QUESTIONS_SELECT = """SELECT q.id, q.tracking_code, q.title, q.public_summary, q.asker_kind, q.state, q.created_at,
 u.name AS unit_name, t.name_vi AS topic_vi, t.name_en AS topic_en
 FROM question q JOIN admin_unit u ON u.id = q.unit JOIN topic t ON t.id = q.topic
 WHERE q.conference = ? AND q.state IN ('accepted', 'assigned', 'answered') AND q.public_consent
 ORDER BY q.created_at LIMIT 200"""
QUEUE_SELECT = """SELECT q.id, q.tracking_code, q.title, q.asker_kind, q.state, q.created_at, q.screening_due_on,
 q.answer_due_on, q.returned_by_agency, t.name_vi AS topic_vi, t.name_en AS topic_en, u.name AS unit_name
 FROM question q JOIN topic t ON t.id = q.topic JOIN admin_unit u ON u.id = q.unit
 WHERE q.conference = ? ORDER BY q.created_at, q.id LIMIT 50"""
ANSWERS_SELECT = """SELECT a.question, a.body, a.published_at, g.name AS agency_name FROM answer a
 JOIN agency g ON g.id = a.agency JOIN question q ON q.id = a.question
 WHERE a.state = 'published' AND q.conference = ?"""
TOPICS_SELECT = """SELECT t.id, t.code, t.name_vi, t.name_en, t.default_agency FROM topic t
 WHERE t.id IN (SELECT topic FROM conference_topic WHERE conference = ?) AND t.active ORDER BY t.position"""


def numbered(sql: str) -> str:
    """SQLite's ? placeholders as asyncpg's $1, $2…"""
    counter = iter(range(1, 1000))
    return re.sub(r"\?", lambda _m: f"${next(counter)}", sql)


class RawSQLite:
    def __init__(self, path: str) -> None:
        self.path = path
        self.connection: aiosqlite.Connection | None = None
        self.lock = asyncio.Lock()
        self.opening = asyncio.Lock()

    async def connect(self) -> aiosqlite.Connection:
        async with self.opening:  # 64 first requests at once must open one connection, not 64
            if self.connection is None:
                connection = await aiosqlite.connect(self.path, isolation_level=None)
                connection.row_factory = aiosqlite.Row
                for pragma in SQLITE_CONNECTION_PRAGMAS:
                    await connection.execute(pragma)
                self.connection = connection
        return self.connection

    async def submit(self, question: list, log: list, mail: list) -> None:
        connection = await self.connect()
        async with self.lock:
            await connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = await connection.execute(QUESTION_INSERT, question)
                question_id = (await cursor.fetchone())[0]
                await connection.execute(LOG_INSERT, [*log, str(question_id)])
                await connection.execute(OUTBOX_INSERT, mail)
                await connection.execute("COMMIT")
            except BaseException:
                await connection.execute("ROLLBACK")
                raise

    async def fetch(self, sql: str, *args) -> list[dict]:
        connection = await self.connect()
        async with connection.execute(sql, args) as cursor:
            return [dict(row) for row in await cursor.fetchall()]

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


class RawPostgres:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: asyncpg.Pool | None = None
        self.opening = asyncio.Lock()

    async def connect(self) -> asyncpg.Pool:
        async with self.opening:  # one pool, however many first requests arrive together
            if self.pool is None:
                self.pool = await asyncpg.create_pool(self.dsn, min_size=2, max_size=10)
        return self.pool

    async def submit(self, question: list, log: list, mail: list) -> None:
        pool = await self.connect()
        async with pool.acquire() as connection, connection.transaction():
            question_id = await connection.fetchval(numbered(QUESTION_INSERT), *question)
            await connection.execute(numbered(LOG_INSERT), *log, str(question_id))
            await connection.execute(numbered(OUTBOX_INSERT), *mail)

    async def fetch(self, sql: str, *args) -> list[dict]:
        pool = await self.connect()
        return [dict(row) for row in await pool.fetch(numbered(sql), *args)]

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()


def create_bench_app() -> Litestar:
    settings = get_settings()
    app = create_app(settings)
    raw = RawSQLite(str(settings.sqlite_path)) if settings.database_engine == "sqlite" \
        else RawPostgres(settings.database_url)
    sqlite = settings.database_engine == "sqlite"

    def moment(value: dt.datetime):
        return value.isoformat(sep=" ") if sqlite else value

    @post("/bench/reference/ask/{conference_id:int}")
    async def reference_ask(request: Request, conference_id: FromPath[int]) -> Template:
        form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
        now = dt.datetime.now(dt.UTC)
        code = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(13))
        question = [
            conference_id, code, secrets.token_hex(32), form["form_token"], form["asker_kind"], form["asker_name"],
            form["asker_email"], "", "", "", False, int(form["unit"]), int(form["topic"]), form["title"],
            form["body"], fold(form["title"] + " " + form["body"]), form["answer_mode"], True, moment(now), "vi",
            "submitted", "127.0.0.1", moment(now), moment(now),
        ]
        mail = [f"<{uuid.uuid4().hex}@bench>", form["asker_email"], f"Câu hỏi đã được tiếp nhận: {code}", MAIL_TEXT,
                MAIL_HTML, 1, moment(now), moment(now)]
        await raw.submit(question, [moment(now), code], mail)
        return Template(template_name="public/submitted.html", context={
            "conference": {"id": conference_id}, "question": {"asker_email": form["asker_email"]},
            "code": code, "tracking_url": "/q/" + code, "manage_url": "/q/" + code + "/manage/x"})

    @get("/bench/reference/conference/{conference_id:int}")
    async def reference_conference(request: Request, conference_id: FromPath[int]) -> Template:
        conference = (await raw.fetch(CONFERENCE_SELECT, conference_id))[0]
        for key in ("starts_at", "ends_at", "questions_open_at", "questions_close_at", "created_at"):
            if isinstance(conference[key], str):
                conference[key] = dt.datetime.fromisoformat(conference[key])
        questions = await raw.fetch(QUESTIONS_SELECT, conference_id)
        for question in questions:
            if isinstance(question["created_at"], str):
                question["created_at"] = dt.datetime.fromisoformat(question["created_at"])
        now = dt.datetime.now(dt.UTC)
        accepting = (conference["state"] == "open" and conference["questions_open_at"] <= now
                     < conference["questions_close_at"])
        return Template(template_name="public/conference.html", context={
            "conference": with_flags(conference), "accepting": accepting, "questions": questions,
            "topics": await raw.fetch(TOPICS_SELECT, conference_id),
            "answered": {row["question"]: row for row in await raw.fetch(ANSWERS_SELECT, conference_id)},
            "agenda": [],  # the benchmark's conference has no agenda (the app's read of it is one query)
            # …nor published documents: the same one read as the app's, for a like-for-like figure.
            "documents": await raw.fetch("SELECT id, kind, number, symbol, issued_on FROM conference_document "
                                         "WHERE conference = ? AND state = 'published'", conference_id),
            # …nor commitments (the app reads them, their agencies and their steps; here the first read).
            "follow_up": [] if not await raw.fetch("SELECT id FROM commitment WHERE conference = ?", conference_id)
            else None,
            # …nor ratings nor inspection rounds: the same reads as the app's, raw.
            "satisfaction": {"count": len(await raw.fetch("SELECT overall FROM rating WHERE conference = ?",
                                                          conference_id)), "shown": False, "minimum": 5},
            "dimensions": (),
            "inspections": await raw.fetch("SELECT id, title, closed_at FROM inspection_round r WHERE state = 'closed' "
                                           "AND EXISTS (SELECT 1 FROM inspection_item i JOIN commitment c "
                                           "ON c.id = i.commitment WHERE i.round = r.id AND c.conference = ?)",
                                           conference_id),
        })

    @get("/bench/reference/queue/{conference_id:int}")
    async def reference_queue(request: Request, conference_id: FromPath[int]) -> Template:
        """The first page of the screening queue: the same rows, counts and lists, raw driver, same template."""
        conference = (await raw.fetch(CONFERENCE_SELECT, conference_id))[0]
        rows = await raw.fetch(QUEUE_SELECT, conference_id)
        total = (await raw.fetch("SELECT COUNT(*) AS n FROM question WHERE conference = ?", conference_id))[0]["n"]
        counts = {r["state"]: r["n"] for r in await raw.fetch(
            "SELECT state, COUNT(*) AS n FROM question WHERE conference = ? GROUP BY state", conference_id)}
        for row in rows:
            for key in ("created_at",):
                if isinstance(row[key], str):
                    row[key] = dt.datetime.fromisoformat(row[key])
            row["lead_agency"], row["due"], row["choosable"], row["duplicate_of"] = "", None, True, None
        return Template(template_name="organiser/queue.html", context={
            "errors": {}, "values": {}, "chosen": set(), "report": None, "question_states": list(QUESTION.states),
            "rejection_categories": [(c, c) for c in REJECTION_CATEGORIES],
            "conference": with_flags(conference), "rows": rows, "total": total, "page": 1, "pages": -(-total // 50),
            "counts": counts, "filters": {k: "" for k in ("state", "topic", "asker_kind", "unit", "agency", "overdue",
                                                            "returned", "q")},
            "topics": await raw.fetch(TOPICS_SELECT, conference_id),
            "areas": await raw.fetch("SELECT id, name, code FROM admin_unit WHERE id = ?", conference["unit"]),
            "agencies": await raw.fetch("SELECT * FROM agency WHERE active ORDER BY name"), "query_string": "",
        })

    @get("/bench/similar/{question_id:int}")
    async def similar_questions(question_id: FromPath[int]) -> dict:
        from dialogue.questions import screening, similarity

        return {"similar": [s["id"] for s in await similarity.similar(await screening.get_question(question_id))]}

    @get("/bench/reference/similar/{question_id:int}")
    async def reference_similar(question_id: FromPath[int]) -> dict:
        from rapidfuzz import fuzz, process

        question = (await raw.fetch("SELECT id, conference, search_folded FROM question WHERE id = ?", question_id))[0]
        candidates = await raw.fetch("SELECT id, search_folded FROM question WHERE conference = ? AND id != ?",
                                     question["conference"], question_id)
        matches = process.extract(question["search_folded"], [c["search_folded"] for c in candidates],
                                  scorer=fuzz.token_set_ratio, limit=5, score_cutoff=55)
        return {"similar": [candidates[i]["id"] for _t, _s, i in matches]}

    for handler in (reference_ask, reference_conference, reference_queue, similar_questions, reference_similar):
        app.register(handler)
    app.on_shutdown.append(raw.close)
    return app

