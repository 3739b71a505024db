"""Atom feeds (feedgen) of a conference's or an agency's public news: published answers and the public
steps of commitments (the entries the public timeline shows, from the action log), newest first.

Each entry's id never changes: the address of its page and what it is (`#answer`, `#log-<action log
id>`). The web layer gives the addresses; nothing here knows the routes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from feedgen.feed import FeedGenerator

from dialogue.accountability.agencies import led_commitments, published_answers
from dialogue.accountability.results import conference_results
from dialogue.core.clock import as_utc
from dialogue.core.i18n import format_day
from dialogue.core.i18n import gettext as _
from dialogue.core.vocabulary import public_action, shows_reason_publicly
from dialogue.machine.log import ActionLog

FEED_SIZE = 50
SUMMARY_CHARS = 500


@dataclass(frozen=True)
class FeedEntry:
    """One piece of news: an answer published (`code` set) or a public step of a commitment
    (`commitment_id` and `log_id` set)."""

    at: dt.datetime
    title: str
    summary: str
    conference_id: int
    code: str = ""
    commitment_id: int | None = None
    log_id: int | None = None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[:SUMMARY_CHARS - 1].rstrip() + "…"


def answer_entry(code: str, heading: str, agency: str, body: str, at: dt.datetime, conference_id: int) -> FeedEntry:
    return FeedEntry(at=at, title=_("Answer of %(agency)s: %(question)s", agency=agency, question=heading),
                     summary=_short(body), conference_id=conference_id, code=code)


async def commitment_entries(commitments: dict[int, dict], limit: int = FEED_SIZE) -> list[FeedEntry]:
    """The newest public timeline entries of these commitments ({id: {"text", "conference"}})."""
    rows = await ActionLog.select(
        ActionLog.id, ActionLog.object_id, ActionLog.at, ActionLog.action, ActionLog.reason, ActionLog.details,
    ).where((ActionLog.object_type == "commitment")
            & ActionLog.object_id.is_in([str(i) for i in commitments] or ["0"])).order_by(ActionLog.id, ascending=False)
    entries = []
    for row in rows:
        label = public_action(row["action"])
        if label is None:
            continue
        commitment = commitments[int(row["object_id"])]
        details = row["details"] if isinstance(row["details"], dict) else json.loads(row["details"] or "{}")
        said = [row["reason"]] if row["reason"] and shows_reason_publicly(row["action"]) else []
        if details.get("to_due_on"):
            said.append(_("Due date: from %(before)s to %(after)s.",
                          before=format_day(_day(details.get("from_due_on"))),
                          after=format_day(_day(details["to_due_on"]))))
        if isinstance(details.get("percent"), int):
            said.append(_("Progress: %(percent)s%%.", percent=details["percent"]))
        entries.append(FeedEntry(
            at=row["at"], title=f"{label}: {_short(commitment['text'])}",
            summary=" ".join(said) or _short(commitment["text"]), conference_id=commitment["conference"],
            commitment_id=int(row["object_id"]), log_id=row["id"]))
        if len(entries) >= limit:
            break
    return entries


def _day(raw) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def newest(entries: list[FeedEntry]) -> list[FeedEntry]:
    return sorted(entries, key=lambda e: (as_utc(e.at), e.log_id or 0), reverse=True)[:FEED_SIZE]


async def conference_entries(conference_id: int, now: dt.datetime) -> list[FeedEntry]:
    items = await conference_results(conference_id, now)
    answers = [answer_entry(i.code, i.heading, i.answer.agency_name, i.answer.body, i.answer.published_at,
                            conference_id) for i in items if i.answer and i.answer.published_at]
    commitments = {c.id: {"text": c.text, "conference": conference_id} for i in items for c in i.commitments}
    return newest(answers + await commitment_entries(commitments))


async def agency_entries(agency: dict, now: dt.datetime) -> list[FeedEntry]:
    answers = [answer_entry(a["code"], a["heading"], agency["name"], a["body"], a["published_at"], a["conference"])
               for a in await published_answers(agency["id"]) if a["published_at"]]
    commitments = {c["id"]: {"text": c["text"], "conference": c["conference"]}
                   for c in await led_commitments(agency["id"], now)}
    return newest(answers + await commitment_entries(commitments))


@dataclass(frozen=True)
class FeedLinks:
    """The absolute addresses the feed points to, from the web layer."""

    feed: str  # the feed itself
    page: str  # the page it is the feed of
    answer: Callable[[FeedEntry], str]  # an answer's page
    commitment: Callable[[FeedEntry], str]  # a commitment's public page


def atom(title: str, author: str, language: str, entries: list[FeedEntry], links: FeedLinks,
         now: dt.datetime) -> bytes:
    """The Atom document of these entries (newest first, as given)."""
    feed = FeedGenerator()
    feed.id(links.feed)
    feed.title(title)
    feed.author({"name": author})
    feed.link(href=links.feed, rel="self", type="application/atom+xml")
    feed.link(href=links.page, rel="alternate", type="text/html")
    feed.language(language)
    feed.updated(as_utc(entries[0].at) if entries else as_utc(now))
    for entry in entries:
        item = feed.add_entry(order="append")
        page = links.answer(entry) if entry.log_id is None else links.commitment(entry)
        item.id(f"{page}#answer" if entry.log_id is None else f"{page}#log-{entry.log_id}")
        item.title(entry.title)
        item.updated(as_utc(entry.at))
        item.published(as_utc(entry.at))
        item.link(href=page, rel="alternate", type="text/html")
        item.summary(entry.summary)
    return feed.atom_str(pretty=True)


def feed_title(name: str) -> str:
    return _("%(name)s: answers and commitments", name=name)

