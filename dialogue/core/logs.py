"""Logging for operators: one line per event, with the request it belongs to.

LOG_FORMAT=text (default) writes readable lines; LOG_FORMAT=json writes one JSON object per line
for a log collector. Every record carries `request_id`: the X-Request-ID the reverse proxy sent,
or one made for the request, and "-" outside requests (background loops)."""

from __future__ import annotations

import json
import logging
import logging.config
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
            "logger": record.name, "request_id": getattr(record, "request_id", "-"), "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Where the app's own loggers ("dialogue.*") write: standard error, in the format asked for."""
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": JsonFormatter},
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "filters": ["request_id"],
                                "formatter": "json" if log_format == "json" else "text"}},
        "loggers": {"dialogue": {"handlers": ["stderr"], "level": level, "propagate": False}},
    })
