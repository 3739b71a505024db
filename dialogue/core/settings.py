"""Typed settings, read once from the environment and validated at start-up.

Every variable is documented in docs/operations.md; a bad value stops the app with a
message that names the variable and says what would be accepted.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "sqlite:///var/dialogue.sqlite3"
LANGUAGES = ("vi", "en")


class SettingsError(ValueError):
    """A setting has a value the app cannot run with."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    db_pool_max: int = 10
    sqlite_readers: int = 4
    host: str = "127.0.0.1"
    port: int = 8000
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str = ""
    mail_from: str = "Đối thoại <no-reply@dialogue.local>"
    default_language: str = "vi"
    trusted_proxies: tuple[str, ...] = ()
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    login_max_failures: int = 5
    login_max_delay_minutes: int = 30
    login_window_minutes: int = 1440
    account_max_failures: int = 20
    address_max_failures: int = 100
    device_cookie_days: int = 180
    submissions_per_hour: int = 10
    outbox_poll_seconds: int = 5
    shutdown_grace_seconds: int = 8
    metrics_token: str = ""
    log_format: str = "text"
    reminder_minutes: int = 15
    commitment_escalation_days: int = 10  # working days overdue before the unit's leadership is told
    confirmation_days: int = 7  # calendar days after a report of "done" before the asker is asked to confirm it
    confirmation_link_days: int = 30  # how long the asker's confirmation link works
    rating_min_count: int = 5  # satisfaction averages are shown only from this many ratings (no asker singled out)
    monthly_report_working_day: int = 3  # the working day of each month on which last month's report goes out
    api_requests_per_minute: int = 120  # per client address, on the open-data API and the Open311 view
    # Phone channels (docs/operations.md, "SMS and Zalo"): a provider is used when its URL is set.
    sms_url: str = ""  # the brandname SMS provider's send endpoint
    sms_api_key: str = ""
    sms_sender: str = "DOITHOAI"  # the registered brandname the SMS comes from
    sms_price: int = 800  # đồng per SMS part, for the cost counter
    zalo_url: str = ""  # the Zalo ZNS template-message endpoint
    zalo_access_token: str = ""
    zalo_templates: tuple[tuple[str, str], ...] = ()  # (message kind, approved ZNS template id)
    zalo_price: int = 300  # đồng per ZNS message
    phone_messages_per_asker_per_day: int = 5  # to one phone number, in any 24 hours
    phone_messages_per_unit_per_day: int = 500  # from one unit's conferences, in any 24 hours
    retention_months: int = 24  # askers' personal data is erased this long after their conference is followed up
    background_tasks: bool = True
    template_reload: bool = False  # re-read a template when its file changed: a stat per render, for template work only
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def database_engine(self) -> str:
        return database_engine(self.database_url)

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file of a sqlite:/// URL, relative paths from the project root."""
        # sqlite:///var/x.sqlite3 is relative, sqlite:////tmp/x.sqlite3 absolute.
        path = Path(urlsplit(self.database_url).path.removeprefix("/"))
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://") or self.production

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


def database_engine(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgres", "postgresql"):
        return "postgres"
    raise SettingsError(
        f"DATABASE_URL: unknown scheme {scheme!r}. Use sqlite:///path/to/file.sqlite3 "
        "or postgres://user:password@host:5432/database."
    )


MAX_REPORT_DAY = 20  # every month has at least 20 working days


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a whole number.") from None
    if value < minimum:
        raise SettingsError(f"{name}: must be at least {minimum}, got {value}.")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name}: must be at most {maximum}, got {value}.")
    return value


def _proxies(raw: str) -> tuple[str, ...]:
    networks = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise SettingsError(
                f"TRUSTED_PROXIES: {item!r} is not an IP address or network (e.g. 10.0.0.1 or 10.0.0.0/8)."
            ) from None
    return tuple(networks)


def _development_secret() -> str:
    """A development secret kept in var/ so it survives restarts and is shared by workers."""
    path = PROJECT_ROOT / "var" / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    return key


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    notices: list[str] = []
    mode = env.get("DIALOGUE_ENV", "development").strip() or "development"
    if mode not in ("development", "production"):
        raise SettingsError(f"DIALOGUE_ENV: {mode!r} is neither 'development' nor 'production'.")

    database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    database_engine(database_url)  # validates the scheme

    secret_key = env.get("SECRET_KEY", "").strip()
    if not secret_key:
        if mode == "production":
            raise SettingsError(
                "SECRET_KEY: required in production (DIALOGUE_ENV=production). "
                "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        secret_key = _development_secret()
        notices.append("SECRET_KEY is not set: using a generated development key kept in var/dev-secret-key.")
    elif len(secret_key) < 32:
        raise SettingsError("SECRET_KEY: use at least 32 characters.")

    language = env.get("DEFAULT_LANGUAGE", "vi").strip() or "vi"
    if language not in LANGUAGES:
        raise SettingsError(f"DEFAULT_LANGUAGE: {language!r} is not one of {', '.join(LANGUAGES)}.")

    smtp_url = env.get("SMTP_URL", "").strip()
    if smtp_url and urlsplit(smtp_url).scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise SettingsError("SMTP_URL: use smtp://host:port, smtp+starttls://user:pass@host:587 or smtps://user:pass@host:465.")

    port = _int(env, "PORT", 8000, minimum=1)
    if port > 65535:
        raise SettingsError(f"PORT: {port} is not a TCP port (1–65535).")
    host = env.get("HOST", "127.0.0.1").strip() or "127.0.0.1"
    base_url = (env.get("BASE_URL", "").strip() or f"http://{host}:{port}").rstrip("/")
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise SettingsError("BASE_URL: must start with http:// or https://.")

    return Settings(
        env=mode,
        secret_key=secret_key,
        database_url=database_url,
        db_pool_max=_int(env, "DB_POOL_MAX", 10, minimum=0),
        sqlite_readers=_int(env, "SQLITE_READERS", 4, minimum=1),
        host=host,
        port=port,
        base_url=base_url,
        smtp_url=smtp_url,
        mail_from=env.get("MAIL_FROM", "").strip() or Settings.mail_from,
        default_language=language,
        trusted_proxies=_proxies(env.get("TRUSTED_PROXIES", "")),
        session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 60, minimum=1),
        session_max_hours=_int(env, "SESSION_MAX_HOURS", 12, minimum=1),
        login_max_failures=_int(env, "LOGIN_MAX_FAILURES", 5, minimum=1),
        login_max_delay_minutes=_int(env, "LOGIN_MAX_DELAY_MINUTES", 30, minimum=1),
        login_window_minutes=_int(env, "LOGIN_WINDOW_MINUTES", 1440, minimum=1),
        account_max_failures=_int(env, "ACCOUNT_MAX_FAILURES", 20, minimum=1),
        address_max_failures=_int(env, "ADDRESS_MAX_FAILURES", 100, minimum=1),
        device_cookie_days=_int(env, "DEVICE_COOKIE_DAYS", 180, minimum=1),
        submissions_per_hour=_int(env, "SUBMISSIONS_PER_HOUR", 10, minimum=1),
        outbox_poll_seconds=_int(env, "OUTBOX_POLL_SECONDS", 5, minimum=1),
        shutdown_grace_seconds=_int(env, "SHUTDOWN_GRACE_SECONDS", 8, minimum=1),
        metrics_token=env.get("METRICS_TOKEN", "").strip(),
        log_format=_log_format(env.get("LOG_FORMAT", "text")),
        reminder_minutes=_int(env, "REMINDER_MINUTES", 15, minimum=1),
        commitment_escalation_days=_int(env, "COMMITMENT_ESCALATION_DAYS", 10, minimum=1),
        confirmation_days=_int(env, "CONFIRMATION_DAYS", 7, minimum=0),
        confirmation_link_days=_int(env, "CONFIRMATION_LINK_DAYS", 30, minimum=1),
        rating_min_count=_int(env, "RATING_MIN_COUNT", 5, minimum=2),
        monthly_report_working_day=_int(env, "MONTHLY_REPORT_WORKING_DAY", 3, minimum=1, maximum=MAX_REPORT_DAY),
        api_requests_per_minute=_int(env, "API_REQUESTS_PER_MINUTE", 120, minimum=1),
        sms_url=_provider_url(env, "SMS_URL"),
        sms_api_key=env.get("SMS_API_KEY", "").strip(),
        sms_sender=env.get("SMS_SENDER", "").strip() or Settings.sms_sender,
        sms_price=_int(env, "SMS_PRICE", 800),
        zalo_url=_provider_url(env, "ZALO_URL"),
        zalo_access_token=env.get("ZALO_ACCESS_TOKEN", "").strip(),
        zalo_templates=_pairs(env, "ZALO_TEMPLATES"),
        zalo_price=_int(env, "ZALO_PRICE", 300),
        phone_messages_per_asker_per_day=_int(env, "PHONE_MESSAGES_PER_ASKER_PER_DAY", 5, minimum=1),
        phone_messages_per_unit_per_day=_int(env, "PHONE_MESSAGES_PER_UNIT_PER_DAY", 500, minimum=1),
        retention_months=_int(env, "RETENTION_MONTHS", 24, minimum=1, maximum=600),
        template_reload=env.get("TEMPLATE_RELOAD", "").strip().lower() in ("1", "true", "yes"),
        notices=tuple(notices),
    )


def _provider_url(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if value and urlsplit(value).scheme not in ("http", "https"):
        raise SettingsError(f"{name}: must start with https:// (or http:// for a provider on this machine).")
    return value


def _pairs(env: dict[str, str], name: str) -> tuple[tuple[str, str], ...]:
    """kind=value,kind=value (ZALO_TEMPLATES=question_received=123456,answer_published=234567)."""
    pairs = []
    for item in filter(None, (part.strip() for part in env.get(name, "").split(","))):
        key, equals, value = item.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise SettingsError(f"{name}: write kind=id pairs separated by commas, e.g. question_received=123456.")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def _log_format(raw: str) -> str:
    value = raw.strip().lower() or "text"
    if value not in ("text", "json"):
        raise SettingsError("LOG_FORMAT: use text or json.")
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings; exits with the message when a value is bad."""
    try:
        return load_settings()
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
