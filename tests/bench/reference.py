"""The bare references `make bench` measures the app against: a minimal Litestar app of its own, in its
own process, with none of our middleware (no request id, metrics, language, CSRF, session, staff,
compression or security headers) and no Piccolo. Each reference does the same database work as the
app's page with the raw driver (aiosqlite on one connection with the app's pragmas, or an asyncpg
pool) and renders the same data with the same template.

  GET  /floor                         Litestar's hello-world: the server's ceiling, for scale
  POST /reference/ask/{id}            the three inserts of a submission, in one transaction
  GET  /reference/conference/{id}     the public conference page
  GET  /reference/home                the home page
  GET  /reference/track/{code}        a question's public tracking page
  GET  /reference/queue/{id}          the first page of the screening queue
  GET  /reference/similar/{id}        a similarity lookup (rapidfuzz over the conference's questions)
  GET  /reference/statements/{name}   a leader's page's statements, recorded by tests/bench/dashboards.py

The app's controllers are registered too, never called: only so that the templates' url_for finds
the names of the pages they link to. Run: uvicorn --factory tests.bench.reference:create_reference_app
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import pickle
import re
import secrets
import uuid
from pathlib import Path

import aiosqlite
import asyncpg
from litestar import Litestar, Request, get, post
from litestar.params import FromPath
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from dialogue.answers.queries import PublicAnswer, PublicFile, PublicPart, PublicPromise
from dialogue.conferences.queries import accepting_questions, with_flags
from dialogue.core.db import SQLITE_CONNECTION_PRAGMAS
from dialogue.core.rendering import build_environment
from dialogue.core.settings import get_settings
from dialogue.core.text import fold
from dialogue.core.vocabulary import is_public_action, shows_reason_publicly
from dialogue.questions.intake import normalise_code
from dialogue.questions.machine import QUESTION, REJECTION_CATEGORIES
from dialogue.questions.tracking import public_view

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
HOME_SELECT = """SELECT c.*, u.name AS unit_name, u.code AS unit_code, p.name AS province_name
 FROM conference c JOIN admin_unit u ON u.id = c.unit LEFT JOIN admin_unit p ON p.id = u.parent
 WHERE c.state IN ('open', 'closed', 'in_session') ORDER BY c.starts_at LIMIT 10"""
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
TRACK_SELECT = """SELECT q.*, t.name_vi AS topic_vi, t.name_en AS topic_en, u.name AS unit_name,
 c.title AS conference_title FROM question q JOIN topic t ON t.id = q.topic JOIN admin_unit u ON u.id = q.unit
 JOIN conference c ON c.id = q.conference WHERE q.tracking_code = ?"""
TIMELINE_SELECT = """SELECT at, action, to_state, reason FROM action_log
 WHERE object_type = 'question' AND object_id = ? ORDER BY id"""
ANSWER_SELECT = """SELECT a.*, g.name AS agency_name, s.role AS approver_role FROM answer a
 JOIN agency g ON g.id = a.agency LEFT JOIN staff_user s ON s.id = a.approved_by WHERE a.question = ?"""
CONFERENCE_MOMENTS = ("starts_at", "ends_at", "questions_open_at", "questions_close_at", "created_at")


def numbered(sql: str) -> str:
    """SQLite's ? placeholders as asyncpg's $1, $2…"""
    counter = iter(range(1, 1000))
    return re.sub(r"\?", lambda _m: f"${next(counter)}", sql)


def typed(row: dict, moments: tuple[str, ...] = (), days: tuple[str, ...] = ()) -> dict:
    """SQLite gives dates and times as text: the same values as the app's, for the same template."""
    for key in moments:
        if isinstance(row.get(key), str):
            row[key] = dt.datetime.fromisoformat(row[key])
    for key in days:
        if isinstance(row.get(key), str):
            row[key] = dt.date.fromisoformat(row[key])
    return row


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
    def __init__(self, dsn: str, size: int) -> None:
        self.dsn = dsn
        self.size = size
        self.pool: asyncpg.Pool | None = None
        self.opening = asyncio.Lock()

    async def connect(self) -> asyncpg.Pool:
        async with self.opening:  # one pool, however many first requests arrive together
            if self.pool is None:
                self.pool = await asyncpg.create_pool(self.dsn, min_size=2, max_size=self.size)
        return self.pool

    async def submit(self, question: list, log: list, mail: list) -> None:
        pool = await self.connect()
        async with pool.acquire() as connection, connection.transaction():
            question_id = await connection.fetchval(numbered(QUESTION_INSERT), *question)
            await connection.execute(numbered(LOG_INSERT), *log, str(question_id))
            await connection.execute(numbered(OUTBOX_INSERT), *mail)

    async def fetch(self, sql: str, *args) -> list[dict]:
        pool = await self.connect()
        rows = [dict(row) for row in await pool.fetch(numbered(sql), *args)]
        for row in rows:  # JSON columns arrive as text from asyncpg, as Piccolo gives them decoded
            for key, value in row.items():
                if key in ("details",) and isinstance(value, str):
                    row[key] = json.loads(value)
        return rows

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()


def create_reference_app() -> Litestar:
    from dialogue.web import app as web_app  # the controllers' classes, for their route names only

    settings = get_settings()
    sqlite = settings.database_engine == "sqlite"
    raw = RawSQLite(str(settings.sqlite_path)) if sqlite else RawPostgres(settings.database_url,
                                                                            max(settings.db_pool_max, 2))

    def moment(value: dt.datetime):
        return value.isoformat(sep=" ") if sqlite else value

    @get("/floor", sync_to_thread=False)
    def floor() -> str:
        return "Hello, world!"

    @post("/reference/ask/{conference_id:int}")
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
        conference = typed((await raw.fetch(CONFERENCE_SELECT, conference_id))[0], CONFERENCE_MOMENTS)
        return Template(template_name="public/submitted.html", context={
            "conference": with_flags(conference), "question": {"asker_email": form["asker_email"]},
            "told": (f"We have sent a confirmation to {form['asker_email']}.", False),
            "code": code, "tracking_url": "/q/" + code, "manage_url": "/q/" + code + "/manage/x"})

    async def follow_up_of(column: str, value: int) -> list:
        """The benchmark's pages have no commitments: one read finds none (the app reads what it needs)."""
        rows = await raw.fetch(f"SELECT id FROM commitment WHERE {column} = ?", value)
        assert not rows, "the reference does not render commitments: bench a page without them"
        return []

    @get("/reference/conference/{conference_id:int}")
    async def reference_conference(conference_id: FromPath[int]) -> Template:
        conference = typed((await raw.fetch(CONFERENCE_SELECT, conference_id))[0], CONFERENCE_MOMENTS)
        questions = [typed(q, ("created_at",)) for q in await raw.fetch(QUESTIONS_SELECT, conference_id)]
        return Template(template_name="public/conference.html", context={
            "conference": with_flags(conference), "questions": questions,
            "accepting": accepting_questions(conference, dt.datetime.now(dt.UTC)),
            "topics": await raw.fetch(TOPICS_SELECT, conference_id),
            "answered": {row["question"]: row for row in await raw.fetch(ANSWERS_SELECT, conference_id)},
            "agenda": [] if not await raw.fetch("SELECT id FROM agenda_item WHERE conference = ?", conference_id)
            else None,
            "documents": await raw.fetch("SELECT id, kind, number, symbol, issued_on FROM conference_document "
                                         "WHERE conference = ? AND state = 'published'", conference_id),
            "follow_up": await follow_up_of("conference", conference_id),
            "satisfaction": {"count": len(await raw.fetch("SELECT overall FROM rating WHERE conference = ?",
                                                          conference_id)), "shown": False, "minimum": 5},
            "dimensions": (),
            "inspections": await raw.fetch("SELECT id, title, closed_at FROM inspection_round r WHERE state = 'closed' "
                                           "AND EXISTS (SELECT 1 FROM inspection_item i JOIN commitment c "
                                           "ON c.id = i.commitment WHERE i.round = r.id AND c.conference = ?)",
                                           conference_id),
        })

    @get("/reference/home")
    async def reference_home() -> Template:
        rows = [with_flags(typed(row, CONFERENCE_MOMENTS)) for row in await raw.fetch(HOME_SELECT)]
        now = dt.datetime.now(dt.UTC)
        accepting = {row["id"] for row in rows if accepting_questions(row, now)}
        return Template(template_name="public/home.html", context={
            "conferences": rows, "accepting": accepting, "code": "", "errors": {}})

    @get("/reference/track/{code:str}")
    async def reference_track(code: FromPath[str]) -> Template:
        row = typed((await raw.fetch(TRACK_SELECT, normalise_code(code)))[0], ("created_at", "updated_at"),
                    ("screening_due_on", "answer_due_on"))
        question = public_view(row)
        timeline = [{**entry, "reason": entry["reason"] if shows_reason_publicly(entry["action"]) else ""}
                    for entry in (typed(e, ("at",)) for e in await raw.fetch(TIMELINE_SELECT, str(question.id)))
                    if is_public_action(entry["action"])]
        answer = None
        found = await raw.fetch(ANSWER_SELECT, question.answer_source)
        if found and found[0]["state"] == "published":
            a = typed(found[0], ("published_at",))
            files = await raw.fetch("SELECT id, filename, size FROM answer_file WHERE question = ? ORDER BY id",
                                    question.answer_source)
            parts = await raw.fetch("SELECT p.body, g.name AS agency_name FROM answer_part p JOIN agency g "
                                    "ON g.id = p.agency WHERE p.question = ? ORDER BY p.id", question.answer_source)
            promises = await raw.fetch("SELECT text, due_on, expected_output FROM answer_promise WHERE question = ? "
                                       "ORDER BY id", question.answer_source)
            answer = PublicAnswer(
                body=a["body"], legal_basis=a["legal_basis"], agency_name=a["agency_name"],
                approver_role=a["approver_role"] or "", published_at=a["published_at"],
                parts=tuple(PublicPart(p["agency_name"], p["body"]) for p in parts),
                files=tuple(PublicFile(f["id"], f["filename"], f["size"]) for f in files),
                promises=tuple(PublicPromise(p["text"], typed(p, (), ("due_on",))["due_on"], p["expected_output"])
                               for p in promises))
        item = await raw.fetch("SELECT i.outcome FROM agenda_item i JOIN conference c ON c.id = i.conference "
                               "WHERE i.question = ?", question.id)
        assert not item or not item[0]["outcome"], "the reference does not render session outcomes"
        return Template(template_name="public/track.html", context={
            "question": question, "code": question.code, "timeline": timeline, "answer": answer,
            "session_outcome": None, "follow_up": await follow_up_of("question", question.answer_source),
            "errors": {}, "values": {}, "followed": False})

    @get("/reference/queue/{conference_id:int}")
    async def reference_queue(request: Request, conference_id: FromPath[int]) -> Template:
        """The first page of the screening queue: the same rows, counts and lists, raw driver, same template."""
        request.scope["user"] = {"full_name": "Nguyễn Thị Lan"}  # the page's header names who is signed in
        conference = typed((await raw.fetch(CONFERENCE_SELECT, conference_id))[0], CONFERENCE_MOMENTS)
        rows = [typed(r, ("created_at",), ("screening_due_on", "answer_due_on"))
                for r in await raw.fetch(QUEUE_SELECT, conference_id)]
        total = (await raw.fetch("SELECT COUNT(*) AS n FROM question WHERE conference = ?", conference_id))[0]["n"]
        counts = {r["state"]: r["n"] for r in await raw.fetch(
            "SELECT state, COUNT(*) AS n FROM question WHERE conference = ? GROUP BY state", conference_id)}
        for row in rows:
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

    # The leaders' pages (tests/bench/dashboards.py): the statements a page ran, recorded from the
    # service, run again here one after the other through the raw driver.
    recorded = pickle.loads(Path(os.environ["BENCH_STATEMENTS"]).read_bytes()) \
        if os.environ.get("BENCH_STATEMENTS") else {}

    @get("/reference/statements/{name:str}")
    async def reference_statements(name: FromPath[str]) -> dict:
        rows = 0
        for sql, args in recorded[name]["statements"]:
            rows += len(await raw.fetch(sql, *args))
        return {"rows": rows}

    @get("/reference/similar/{question_id:int}")
    async def reference_similar(question_id: FromPath[int]) -> dict:
        from rapidfuzz import fuzz, process

        question = (await raw.fetch("SELECT id, conference, search_folded FROM question WHERE id = ?", question_id))[0]
        candidates = await raw.fetch("SELECT id, search_folded FROM question WHERE conference = ? AND id != ?",
                                     question["conference"], question_id)
        matches = process.extract(question["search_folded"], [c["search_folded"] for c in candidates],
                                  scorer=fuzz.token_set_ratio, limit=5, score_cutoff=55)
        return {"similar": [candidates[i]["id"] for _t, _s, i in matches]}

    controllers = [value for name, value in vars(web_app).items() if name.endswith("Controller")]
    return Litestar(
        route_handlers=[floor, reference_ask, reference_conference, reference_home, reference_track,
                        reference_queue, reference_similar, reference_statements, web_app.static_file, *controllers],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment())),
        on_shutdown=[raw.close], openapi_config=None, debug=False,
    )
