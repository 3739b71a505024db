"""Command line: `python -m dialogue --help`.

Each command binds the tables to the engine that DATABASE_URL names, runs one
service function and prints what it did.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar
from urllib.parse import urlsplit

import click

from dialogue.accounts.commands import create_first_admin, list_accounts
from dialogue.core.clock import utc_now
from dialogue.core.db import bind_engine, close_engine, make_engine
from dialogue.core.errors import InvalidInput
from dialogue.core.settings import PROJECT_ROOT, get_settings
from dialogue.demo import ACCOUNTS, DEMO_PASSWORD, load_demo
from dialogue.piccolo_app import ALL_TABLES
from dialogue.reference.loading import list_holidays, list_units, load_admin_units, seed_holidays
from dialogue.reference.tables import Agency, Topic

T = TypeVar("T")


def run(work: Callable[[], Awaitable[T]]) -> T:
    """Run one async job against the configured database."""
    engine = make_engine(get_settings())
    bind_engine(engine, ALL_TABLES)

    async def job() -> T:
        try:
            return await work()  # a coroutine or a Piccolo query: both are awaitable
        finally:
            await close_engine(engine)

    return asyncio.run(job())


@click.group()
def main() -> None:
    """Dialogue (Đối thoại): administration commands."""


@main.command()
def migrate() -> None:
    """Apply every migration to the configured database."""
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")
    sys.path.insert(0, str(PROJECT_ROOT))
    from piccolo.apps.migrations.commands.forwards import run_forwards

    settings = get_settings()
    engine = make_engine(settings)
    bind_engine(engine, ALL_TABLES)

    async def forwards():
        from piccolo.engine import engine_finder

        try:
            return await run_forwards(app_name="all")
        finally:
            await close_engine(engine)
            await close_engine(engine_finder())  # piccolo_conf's own engine, which migrations use

    response = asyncio.run(forwards())
    if not response.success:
        raise click.ClickException(f"Migrations failed: {response.message}")
    click.echo(f"Migrations applied ({settings.database_engine}).")


@main.command()
@click.option("--host", default=None, help="Default: HOST.")
@click.option("--port", type=int, default=None, help="Default: PORT.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes; more than one needs PostgreSQL.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the app with uvicorn."""
    import uvicorn

    settings = get_settings()
    if workers > 1 and settings.database_engine == "sqlite":
        # One SQLite file takes one writer at a time, whichever process it is: more processes add no
        # write throughput, only waits on the file's lock, and live updates would reach the streams
        # of the other processes only at their 15-second look. PostgreSQL has neither limit.
        raise click.ClickException(
            f"--workers {workers} needs PostgreSQL: on SQLite the processes would queue for the one file's "
            "write lock and see each other's live updates only every 15 seconds. Serve SQLite with one worker, "
            "or set DATABASE_URL=postgres://user:password@host:5432/database (docs/operations.md, Database).")
    host, port = host or settings.host, port or settings.port
    if (host, port) != (settings.host, settings.port):
        # the app (imported by uvicorn below) must know where it is served: without BASE_URL, every
        # link it writes (private links, e-mails, SMS) is built from HOST and PORT
        os.environ.update({"HOST": host, "PORT": str(port)})
        get_settings.cache_clear()
    if not settings.smtp_url:
        sink = start_smtp_sink()
        os.environ["SMTP_URL"] = sink
        get_settings.cache_clear()  # the app (imported by uvicorn below) reads the sink's address
        click.echo(f"SMTP_URL is not set: e-mail goes to a local sink at {sink}; organisers read it at /organiser/mail")
    if settings.production and (not settings.sms_url or not settings.zalo_url):
        # Never a stand-in in production: a message marked sent (and costed) that reached no one would be
        # worse than one that waits, visibly, until its provider is configured.
        click.echo("SMS_URL or ZALO_URL is not set: messages of that channel wait in the outbox until it is.")
    elif not settings.sms_url or not settings.zalo_url:
        sink, played = start_provider_sink(sms=not settings.sms_url, zalo=not settings.zalo_url)
        get_settings.cache_clear()
        click.echo(f"{' and '.join(played)} not set: those messages go to a local provider sink at {sink} "
                   f"(what it took: {sink}/messages); organisers read them at /organiser/mail")
    loop, parser = server_stack()
    click.echo(f"Dialogue is running at http://{host}:{port}/ (Ctrl-C to stop); "
               f"event loop {loop}, HTTP parser {parser}, {workers} worker(s)")
    # Idle keep-alive connections are closed after 5 s and shutdown is bounded; uvicorn has no
    # header timeout, so production puts a reverse proxy in front (docs/operations.md).
    uvicorn.run("app:app", host=host, port=port, workers=workers, loop=loop, http=parser, proxy_headers=False,
                server_header=False, log_level="info", app_dir=str(PROJECT_ROOT), timeout_keep_alive=5,
                timeout_graceful_shutdown=settings.shutdown_grace_seconds + 2, limit_concurrency=1000)


def server_stack() -> tuple[str, str]:
    """uvloop and httptools (pinned in pyproject) when they import; asyncio and h11 otherwise,
    e.g. on a platform without their wheels. The C pair serves about a third more requests."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    parser = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return loop, parser


@main.command()
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
def backup(target: str) -> None:
    """Copy the SQLite database to TARGET while the app runs, and check the copy.
    On PostgreSQL, print the pg_dump command to use instead."""
    import sqlite3

    settings = get_settings()
    if settings.database_engine != "sqlite":
        parts = urlsplit(settings.database_url)
        safe = parts._replace(netloc=f"{parts.username or ''}@{parts.hostname}:{parts.port or 5432}").geturl()
        click.echo("On PostgreSQL, back up with pg_dump (it reads a consistent snapshot while the app runs):\n"
                   f"  pg_dump --format=custom --file={target} '{safe}'\n"
                   f"Restore with: pg_restore --clean --if-exists --dbname='{safe}' {target}")
        return
    source = sqlite3.connect(settings.sqlite_path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # SQLite's online backup: a consistent copy, writers keep going
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        source.close()
    if result != "ok":
        raise click.ClickException(f"The copy failed its integrity check: {result}")
    click.echo(f"Backed up {settings.sqlite_path} to {target}; integrity_check: ok")


def start_smtp_sink() -> str:
    """A local SMTP server that accepts every message (for the demo), so that mail is sent, not dropped."""
    import logging
    import socket

    from aiosmtpd.controller import Controller

    log = logging.getLogger("dialogue.mail.sink")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP line at INFO

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            log.info("Local mail sink: message to %s (%s bytes)", ", ".join(envelope.rcpt_tos), len(envelope.content))
            return "250 Message accepted"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Controller(Sink(), hostname="127.0.0.1", port=port).start()
    return f"smtp://127.0.0.1:{port}"


def start_provider_sink(sms: bool, zalo: bool) -> tuple[str, list[str]]:
    """The local stand-in for the SMS and Zalo providers (dialogue/mail/sink.py), and the settings that
    send to it, for the channels that have no provider: its URL, credentials, and for Zalo a ZNS
    template id for each kind of message. Returns its address and the settings it stands in for."""
    from dialogue.mail.sink import ProviderSink

    sink = ProviderSink().start()
    played = []
    if sms:
        os.environ.update({"SMS_URL": sink.sms_url, "SMS_API_KEY": sink.api_key})
        played.append("SMS_URL")
    if zalo:
        kinds = sorted(path.stem for path in (PROJECT_ROOT / "templates" / "phone").glob("*.txt"))
        os.environ.update({
            "ZALO_URL": sink.zalo_url, "ZALO_ACCESS_TOKEN": sink.access_token,
            "ZALO_TEMPLATES": os.environ.get("ZALO_TEMPLATES") or ",".join(f"{kind}=local-{kind}" for kind in kinds),
        })
        played.append("ZALO_URL")
    return f"http://127.0.0.1:{sink.port}", played


@main.group()
def units() -> None:
    """Administrative units (provinces, communes, wards, special zones)."""


@units.command("load")
def units_load() -> None:
    """Load or refresh the map from the installed vietnam-provinces release."""

    click.echo(f"Administrative units: {run(load_admin_units)}.")


@units.command("list")
@click.option("--province", default=None, help="Province code (2 digits): list its communes.")
@click.option("--search", default=None, help="Part of a name; diacritics optional ('dong da').")
@click.option("--all", "include_retired", is_flag=True, help="Include units no longer in force.")
def units_list(province: str | None, search: str | None, include_retired: bool) -> None:
    """List provinces, or the communes of one province."""

    rows = run(lambda: list_units(province=province, search=search, include_retired=include_retired))
    for row in rows:
        retired = f"  (until {row['valid_to']:%d/%m/%Y})" if row["valid_to"] else ""
        click.echo(f"{row['code']:>5}  {row['name']}{retired}")
    click.echo(f"{len(rows)} units.")


@main.group()
def holidays() -> None:
    """The holiday table, the only source of working days."""


@holidays.command("seed")
@click.option("--from-year", type=int, default=None, help="Default: last year.")
@click.option("--to-year", type=int, default=None, help="Default: three years ahead.")
def holidays_seed(from_year: int | None, to_year: int | None) -> None:
    """Seed from the holidays library (days the admin edited are kept)."""

    year = dt.date.today().year
    first, last = from_year or year - 1, to_year or year + 3
    click.echo(f"Holidays {first}–{last}: {run(lambda: seed_holidays(first, last))}.")


@holidays.command("list")
@click.option("--year", type=int, default=None)
def holidays_list(year: int | None) -> None:
    """List one year's days off and swapped working days."""

    for row in run(lambda: list_holidays(year or dt.date.today().year)):
        click.echo(f"{row['day']:%d/%m/%Y}  {row['day']:%a}  {row['kind']:<8} {row['name']}")


@main.command("agencies")
def agencies_list() -> None:
    """List agencies."""

    rows = run(lambda: Agency.select(Agency.id, Agency.short_name, Agency.name, Agency.unit.name, Agency.active)
               .order_by(Agency.id))
    for row in rows:
        flag = "" if row["active"] else "  (inactive)"
        click.echo(f"{row['id']:>4}  {row['short_name']:<10} {row['name']} — {row['unit.name']}{flag}")


@main.command("topics")
def topics_list() -> None:
    """List topics with their units (none: every unit) and default agencies."""

    rows = run(lambda: Topic.select(Topic.code, Topic.name_vi, Topic.name_en, Topic.unit.code,
                                    Topic.default_agency.short_name).order_by(Topic.position))
    for row in rows:
        click.echo(f"{row['code']:<22} {row['unit.code'] or '*':<6} {row['name_vi']} / {row['name_en']}"
                   f" → {row['default_agency.short_name'] or '—'}")


@main.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option("--questions/--no-questions", default=True, show_default=True,
              help="Include the demo's 42 questions.")
@click.option("--waiting", is_flag=True,
              help="Leave every question waiting to be screened, instead of a month of the ward's work.")
def demo_load(questions: bool, waiting: bool) -> None:
    """Load the demo once (running it again adds nothing)."""

    added = run(lambda: load_demo(with_questions=questions, lively=questions and not waiting))
    click.echo("Demo data: " + ", ".join(f"{count} {kind} added" for kind, count in added.items()) + ".")


@demo.command("province")
@click.option("--communes", type=click.IntRange(min=1, max=126), default=126, show_default=True,
              help="How many of Hà Nội's communes and wards.")
@click.option("--years", type=click.IntRange(min=1, max=20), default=5, show_default=True)
@click.option("--per-conference", type=click.IntRange(min=1, max=5000), default=400, show_default=True,
              help="Questions per conference (four conferences a year per commune).")
@click.option("--seed", type=int, default=20250701, show_default=True, help="The same seed gives the same data.")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The last day of the data (default: today).")
def demo_province(communes: int, years: int, per_conference: int, seed: int, end: dt.datetime | None) -> None:
    """A synthetic province for load tests and dashboards: about 1,000,000 questions by default.
    Once: running it again adds nothing."""
    from dialogue.demo.province import MARKER_EMAIL, ORGANISER_EMAIL, Options, load_province

    options = Options(communes=communes, years=years, per_conference=per_conference, seed=seed,
                      end=end.date() if end else dt.date.today())
    counts = run(lambda: load_province(get_settings(), options, click.echo))
    if counts is None:
        return
    click.echo("Rows per table after the load:")
    for table, count in counts.items():
        click.echo(f"  {table:<18} {count:>10,}")
    click.echo(f"Accounts (password {DEMO_PASSWORD}): {MARKER_EMAIL} (leadership, the city), "
               f"{ORGANISER_EMAIL} (organiser); a commune's leadership: `dialogue users list | grep leader@`.")


@demo.command("accounts")
def demo_accounts() -> None:
    """Print the demo's sign-in accounts (one per role)."""

    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, name, role, agency, _position in ACCOUNTS:
        click.echo(f"  {role:<15} {email:<26} {name}{' — ' + agency if agency else ''}")


@main.group()
def users() -> None:
    """Staff accounts."""


@users.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.password_option("--password", help="Prompted for (twice) when not given.")
def users_create_admin(email: str, full_name: str, password: str) -> None:
    """Create an administrator: the first account, before anyone can sign in."""

    try:
        user_id = run(lambda: create_first_admin(email, full_name, password, utc_now()))
    except InvalidInput as error:
        raise click.ClickException(
            "; ".join(f"{field}: {message}" for field, message in error.errors.items())) from None
    click.echo(f"Administrator {email} created (id {user_id}).")


@users.command("list")
def users_list() -> None:
    """List staff accounts."""

    for row in run(list_accounts):
        status = "" if row["active"] else "  (closed)"
        where = row["agency_name"] or row["unit_name"] or ""
        click.echo(f"{row['id']:>4}  {row['role']:<15} {row['email']:<30} {row['full_name']} {where}{status}")


@main.group()
def privacy() -> None:
    """Askers' personal data (Law 91/2025/QH15)."""


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="Only say what would be erased.")
def privacy_retention(dry_run: bool) -> None:
    """Erase the askers' personal data (and followers) of conferences followed up more than
    RETENTION_MONTHS ago, as the scheduled job does; all of it, a batch at a time."""
    from dialogue.privacy import retention

    settings, now = get_settings(), utc_now()

    async def work() -> dict[str, int]:
        if dry_run:
            return await retention.pending(now, settings)
        done = {retention.ERASED: 0, retention.FOLLOWERS: 0}
        while True:  # each run is bounded; this one goes on until nothing is left
            batch = await retention.tick(now, settings)
            for kind, count in batch.items():
                done[kind] += count
            if not any(batch.values()):
                return done

    counts = run(work)
    cutoff = retention.months_before(now, settings.retention_months)
    rule = f"conferences followed up before {cutoff:%d/%m/%Y} ({settings.retention_months} months)"
    if dry_run:
        click.echo(f"Dry run, nothing changed. {rule}: {counts['conferences']}; askers' personal data to erase: "
                   f"{counts[retention.ERASED]}; followers to delete: {counts[retention.FOLLOWERS]}.")
    else:
        click.echo(f"Retention, {rule}: askers' personal data erased: {counts[retention.ERASED]}; "
                   f"followers deleted: {counts[retention.FOLLOWERS]}.")
