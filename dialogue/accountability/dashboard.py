"""What a leader sees for a unit and a period, and the monthly report: the database's counts
(measures.py) put together per agency, ranked, with their month-by-month trend.

Who may see which unit is decided here too: a leader sees the units they are attached to (a
province's leader sees every commune of it); an admin sees every unit."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from dialogue.accountability import measures
from dialogue.accountability.scope import Period, Scope
from dialogue.accounts.tables import StaffUser
from dialogue.core.calendar import local_today
from dialogue.core.db import database_identity
from dialogue.core.errors import Forbidden, NotFound
from dialogue.core.i18n import current_language, format_day
from dialogue.core.i18n import gettext as _
from dialogue.core.settings import get_settings
from dialogue.core.text import parse_id
from dialogue.core.vocabulary import word
from dialogue.machine.actors import Actor, Role
from dialogue.machine.log import ActionLog
from dialogue.questions.intake import display_code
from dialogue.questions.tables import Question
from dialogue.reference.admin import topic_names
from dialogue.reference.calendar import working_calendar
from dialogue.reference.tables import AdminUnit, Agency
from dialogue.reference.units import unit_path, units_seen_by

TREND_MONTHS = 12


def rate(part: int, whole: int) -> float | None:
    """A share in per cent, None when there is nothing to share."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class AgencyFigures:
    """One agency's figures for the scope (or, with id None, the whole unit's)."""

    id: int | None
    name: str
    short_name: str = ""
    unit_name: str = ""
    answers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(measures.ANSWER_STATUSES, 0))
    median_days: float | None = None
    commitments: dict[str, int] = field(default_factory=lambda: dict.fromkeys(measures.COMMITMENT_STATUSES, 0))
    findings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(measures.FINDINGS, 0))
    ratings: int = 0
    satisfaction: float | None = None  # None below the minimum count of ratings
    backlog: dict[str, int] = field(default_factory=lambda: {"answers": 0, "commitments": 0})
    trend: list[dict] = field(default_factory=list)  # [{month, on_time, due, rate}] oldest first
    heads: list[dict] = field(default_factory=list)  # [{full_name, position}], for the monthly report

    @property
    def answers_due(self) -> int:
        return sum(self.answers[status] for status in measures.ANSWERS_DUE)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.answers["on_time"], self.answers_due)

    @property
    def commitments_due(self) -> int:
        return sum(self.commitments.values())

    @property
    def kept_rate(self) -> float | None:
        verified = sum(self.commitments[s] for s in ("kept", "partly_kept", "not_kept"))
        return rate(self.commitments["kept"], verified)

    @property
    def overdue_now(self) -> int:
        return self.backlog["answers"] + self.backlog["commitments"]

    @property
    def has_figures(self) -> bool:
        return bool(self.answers_due or self.answers["open"] or self.commitments_due or sum(self.findings.values())
                    or self.ratings or self.overdue_now)


@dataclass
class Dashboard:
    scope: Scope
    total: AgencyFigures
    agencies: list[AgencyFigures]  # ranked: the lowest on-time rate first, then the most overdue now
    received_total: int
    received: dict[str, list[dict]]  # by topic, asker_kind, area: [{key, label, count}] largest first
    months: list[dt.date]
    rating_minimum: int
    version: int = 0  # the action log's last entry when computed (see data_version)


async def visible_units(actor: Actor) -> list[dict]:
    """The units a staff member may choose: their own and, for a province, its communes; every
    province and commune that has conferences for an admin. Provinces first, then by name. Kept like
    the figures, until the action log moves (units, conferences and accounts change only by logged steps)."""
    key = ("units", database_identity(), actor.role, actor.unit_id)
    version = await data_version()
    kept = _computed.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    units = await _visible_units(actor)
    _keep(key, version, units)
    return units


def _keep(key: tuple, version: int, value) -> None:
    if len(_computed) >= CACHE_SIZE:
        _computed.pop(next(iter(_computed)))
    _computed[key] = (version, value)


async def _visible_units(actor: Actor) -> list[dict]:
    seen = await units_seen_by(actor)
    query = AdminUnit.select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level, AdminUnit.parent)
    if seen is None:
        held = await Question.raw("SELECT DISTINCT unit FROM conference")
        ids = {row["unit"] for row in held}
        parents = await AdminUnit.select(AdminUnit.parent).where(AdminUnit.id.is_in(list(ids) or [0]))
        ids |= {row["parent"] for row in parents if row["parent"]}
        rows = await query.where(AdminUnit.id.is_in(list(ids) or [0]))
    else:
        rows = await query.where(AdminUnit.id.is_in(seen or [0]))
    level_order = {AdminUnit.Level.province.value: 0}
    return sorted(rows, key=lambda row: (level_order.get(row["level"], 1), row["name"]))


async def choose_scope(actor: Actor, unit_id, period_code: str | None, now: dt.datetime) -> tuple[Scope, list[dict]]:
    """The scope a leader asked for, if they may see it: their first unit by default, this month by
    default. Returns the scope and the units they may choose from."""
    units = await visible_units(actor)
    if not units:
        raise Forbidden(_("Your account is not attached to any unit yet; ask the administrator."))
    today = local_today(now)
    unit = units[0]
    if unit_id not in (None, ""):
        wanted = parse_id(str(unit_id))
        chosen = next((u for u in units if u["id"] == wanted), None)
        if chosen is None:
            raise NotFound(_("There is no such unit among yours."))
        unit = chosen
    period = Period.parse(period_code, today) if period_code else Period.month(today)
    if period is None:
        raise NotFound(_("That period is not one the dashboard knows: choose one from the list."))
    return await scope_for(unit, period, today), units


async def scope_for(unit: dict, period: Period, today: dt.date) -> Scope:
    """A commune counts alone; a province counts with its communes."""
    ids = [unit["id"]]
    if unit["level"] == AdminUnit.Level.province.value:
        ids += [row["id"] for row in await AdminUnit.select(AdminUnit.id).where(AdminUnit.parent == unit["id"])]
    return Scope(unit=unit, unit_ids=tuple(ids), period=period, today=today)


async def _agencies(ids: set[int], scope: Scope) -> dict[int, dict]:
    """The agencies with figures, and the active ones of the scope's units (a quiet agency shows too)."""
    rows = await Agency.select(
        Agency.id, Agency.name, Agency.short_name, Agency.unit, Agency.unit.name.as_alias("unit_name"),
    ).where(Agency.id.is_in(sorted(ids) or [0]) | (Agency.unit.is_in(list(scope.unit_ids)) & (Agency.active == True)))
    return {row["id"]: row for row in rows}


async def _labels(by: str, keys: list) -> dict:
    if by == "topic":
        return await topic_names(keys)
    if by == "area":
        rows = await AdminUnit.select(AdminUnit.id, AdminUnit.name).where(AdminUnit.id.is_in(keys or [0]))
        return {row["id"]: row["name"] for row in rows}
    return {key: word("asker_kind", key) for key in keys}


# Figures computed lately, by database, scope, day, minimum and language, each with the data version it
# was computed at: the id of the action log's last entry. Every change of anything counted here is
# logged in the same transaction as the change, so an unchanged version means unchanged figures in
# every process; a new entry (or a new day: overdue moves with it) computes them again.
CACHE_SIZE = 64
_computed: dict[tuple, tuple[int, Dashboard | Items | list[dict]]] = {}


async def data_version() -> int:
    rows = await ActionLog.raw("SELECT MAX(id) AS version FROM action_log")
    return rows[0]["version"] or 0


async def dashboard(scope: Scope, rating_minimum: int | None = None) -> Dashboard:
    """The figures of the scope: computed by the database, or as computed lately if nothing was
    logged since (see data_version). Callers must not change what they are given."""
    minimum = get_settings().rating_min_count if rating_minimum is None else rating_minimum
    key = (database_identity(), scope.unit["id"], scope.unit_ids, scope.period.code, scope.today, minimum,
           current_language())
    version = await data_version()
    kept = _computed.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    figures = await _compute(scope, minimum)
    figures.version = version
    _keep(key, version, figures)
    return figures


async def _compute(scope: Scope, minimum: int) -> Dashboard:
    answers_source = measures.answers_due(scope)
    answers = await measures.answer_counts(scope)
    medians = await measures.median_working_days(answers_source)
    commitments = await measures.commitment_counts(measures.commitments_due(scope), scope)
    findings = await measures.finding_counts(measures.findings(scope))
    ratings = await measures.satisfaction(measures.ratings(scope))
    backlog = await measures.backlog_counts(scope)
    months = scope.period.months(TREND_MONTHS)
    trend = await measures.answer_trend(scope, months)
    month_keys = [month.strftime("%Y-%m") for month in months]

    ids = set(answers) | set(commitments) | set(findings) | set(ratings) | set(backlog)
    names = await _agencies(ids, scope)
    total = AgencyFigures(id=None, name=_("All agencies"), median_days=medians.get(None))
    figures: list[AgencyFigures] = []
    for agency_id, row in names.items():
        figure = AgencyFigures(id=agency_id, name=row["name"], short_name=row["short_name"],
                               unit_name=row["unit_name"], median_days=medians.get(agency_id))
        figure.answers.update(answers.get(agency_id, {}))
        figure.commitments.update(commitments.get(agency_id, {}))
        figure.findings.update(findings.get(agency_id, {}))
        figure.backlog.update(backlog.get(agency_id, {}))
        rated = ratings.get(agency_id)
        if rated:
            figure.ratings = rated["count"]
            figure.satisfaction = rated["average"] if rated["count"] >= minimum else None
        figure.trend = _trend(trend, agency_id, month_keys)
        figures.append(figure)
        for counts, into in ((figure.answers, total.answers), (figure.commitments, total.commitments),
                             (figure.findings, total.findings), (figure.backlog, total.backlog)):
            for key, value in counts.items():
                into[key] += value
        total.ratings += figure.ratings
    if total.ratings:
        total.satisfaction = round(sum(r["average"] * r["count"] for r in ratings.values()) / total.ratings, 2) \
            if total.ratings >= minimum else None
    total.trend = _trend(trend, None, month_keys)
    figures.sort(key=lambda f: (f.on_time_rate is None, f.on_time_rate if f.on_time_rate is not None else 0,
                                -f.overdue_now, f.name))

    source = measures.received(scope)
    received: dict[str, list[dict]] = {}
    received_total = 0
    grouped = await measures.received_counts(source)
    for by in measures.RECEIVED_BY:
        counts = grouped[by]
        labels = await _labels(by, list(counts))
        received[by] = sorted(({"key": key, "label": labels.get(key, str(key)), "count": n}
                               for key, n in counts.items()), key=lambda r: (-r["count"], r["label"]))
        received_total = sum(counts.values())
    return Dashboard(scope=scope, total=total, agencies=figures, received_total=received_total, received=received,
                     months=months, rating_minimum=minimum)


def _trend(trend: dict, agency_id: int | None, month_keys: list[str]) -> list[dict]:
    found = []
    for key in month_keys:
        counts = trend.get((agency_id, key), {"on_time": 0, "due": 0})
        found.append({"month": key, **counts, "rate": rate(counts["on_time"], counts["due"])})
    return found


# The drill-down: which items a figure counts. `figure` names the kind, `status` one of its statuses.
DRILLABLE = {
    "answers": measures.ANSWER_STATUSES, "commitments": measures.COMMITMENT_STATUSES,
    "findings": measures.FINDINGS, "received": {by: by for by in measures.RECEIVED_BY},
    "backlog_answers": {}, "backlog_commitments": {},
}


KINDS = {"answers": "question", "backlog_answers": "question", "commitments": "commitment",
         "backlog_commitments": "commitment", "findings": "finding", "received": "received"}
STATUS_WORDS = {**measures.ANSWER_STATUSES, **measures.COMMITMENT_STATUSES, **measures.FINDINGS}


def status_word(status: str | None) -> str:
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else ""


@dataclass
class Items:
    figure: str
    status: str | None
    agency: dict | None
    total: int
    rows: list[dict]
    offset: int
    heading: str = ""
    limit: int = measures.ITEM_LIMIT

    @property
    def kind(self) -> str:
        """question, commitment, finding or received: what each row is."""
        return KINDS[self.figure]


async def _heading(scope: Scope, figure: str, status: str | None, key: str | None) -> str:
    period = scope.period.label()
    if figure == "backlog_answers":
        return _("Answers overdue on %(day)s", day=format_day(scope.today))
    if figure == "backlog_commitments":
        return _("Commitments overdue on %(day)s", day=format_day(scope.today))
    if figure == "received":
        title = _("Questions received, %(period)s", period=period)
        if status:
            label = (await _labels(status, [_key(status, key)])).get(_key(status, key))
            title += f": {label or '—'}"
        return title
    title = {"answers": _("Answers due, %(period)s", period=period),
             "commitments": _("Commitments due, %(period)s", period=period),
             "findings": _("Inspection findings, %(period)s", period=period)}[figure]
    return f"{title}: {status_word(status)}" if status else title


async def items(scope: Scope, figure: str, status: str | None, agency_id, key: str | None,
                offset: int = 0) -> Items:
    """The items behind one figure; NotFound for a figure, status or agency that does not exist.
    Kept like the figures, until the action log moves (see dashboard())."""
    cache_key = ("items", database_identity(), scope.unit["id"], scope.unit_ids, scope.period.code, scope.today,
                 figure, status, str(agency_id), key, offset, current_language())
    version = await data_version()
    kept = _computed.get(cache_key)
    if kept is not None and kept[0] == version:
        return kept[1]
    found = await _items(scope, figure, status, agency_id, key, offset)
    _keep(cache_key, version, found)
    return found


async def _items(scope: Scope, figure: str, status: str | None, agency_id, key: str | None, offset: int) -> Items:
    if figure not in DRILLABLE or (status not in (None, "") and status not in DRILLABLE[figure]):
        raise NotFound(_("There is no such figure."))
    status = status or None
    agency = None
    if agency_id not in (None, ""):
        wanted = parse_id(str(agency_id))
        agency = (await _agencies({wanted}, scope)).get(wanted) if wanted else None
        # Only an agency that serves the scope: one of its units', or of the province above it.
        serving = set(scope.unit_ids) | set(await unit_path(scope.unit["id"]))
        if agency is None or agency["unit"] not in serving:
            raise NotFound(_("There is no such agency."))
    agency_key = agency["id"] if agency else None
    offset = max(0, min(offset, 10_000_000))
    if figure == "answers":
        total, rows = await measures.answer_items(measures.answers_due(scope), scope, status, agency_key, offset)
    elif figure == "backlog_answers":
        total, rows = await measures.answer_items(measures.answers_due(scope, whole_backlog=True), scope, "overdue",
                                                  agency_key, offset)
    elif figure == "commitments":
        total, rows = await measures.commitment_items(measures.commitments_due(scope), scope, status, agency_key,
                                                      offset)
    elif figure == "backlog_commitments":
        total, rows = await measures.commitment_items(measures.commitments_due(scope, whole_backlog=True), scope,
                                                      "overdue", agency_key, offset)
    elif figure == "findings":
        total, rows = await measures.finding_items(measures.findings(scope), status, agency_key, offset)
    else:
        by = status
        total, rows = await measures.received_items(measures.received(scope), by, _key(by, key), offset)
    await _describe(rows, scope)
    return Items(figure=figure, status=status, agency=agency, total=total, rows=rows, offset=offset,
                 heading=await _heading(scope, figure, status, key))


ASKER_KINDS = {kind.value for kind in Question.AskerKind}


def _key(by: str | None, key: str | None):
    """The group a received-questions list is about; one that matches nothing for a key that names
    no group (PostgreSQL refuses text with a NUL, so a typed key never reaches it as it came)."""
    if by in ("topic", "area"):
        return parse_id(key) or -1
    return key if key in ASKER_KINDS else ""


async def _describe(rows: list[dict], scope: Scope) -> None:
    """What a list shows besides the row: the agency's name, working days overdue."""
    calendar = await working_calendar()
    agency_ids = {row["agency"] for row in rows if row.get("agency")}
    names = {row["id"]: row["short_name"] or row["name"] for row in await Agency.select(
        Agency.id, Agency.name, Agency.short_name).where(Agency.id.is_in(sorted(agency_ids) or [0]))}
    for row in rows:
        row["agency_name"] = names.get(row.get("agency"), "")
        if row.get("tracking_code"):
            row["code"] = display_code(row["tracking_code"])
            row["heading"] = row.get("public_summary") or row.get("title")
        due = row.get("due_on")
        if isinstance(due, str):
            row["due_on"] = due = dt.date.fromisoformat(due)
        for name in ("answered_on", "original_due_on", "visited_on"):
            if isinstance(row.get(name), str):
                row[name] = dt.date.fromisoformat(row[name])
        # None when not overdue; 0 when overdue since a day off (due Friday, read on Saturday)
        row["overdue_days"] = calendar.working_days_between(due, scope.today) \
            if row.get("status") == "overdue" and due else None


# The monthly report: one unit, one month, each agency's figures with its heads by name and
# position, and every item overdue on the day the report is made, with its working days overdue.
@dataclass
class MonthlyReport:
    dashboard: Dashboard
    overdue_answers: list[dict]  # as drill-down rows, most overdue first
    overdue_commitments: list[dict]
    made_on: dt.date
    overdue_answers_total: int = 0  # the lists hold at most OVERDUE_LIST_LIMIT, the most overdue first
    overdue_commitments_total: int = 0

    @property
    def scope(self) -> Scope:
        return self.dashboard.scope


OVERDUE_LIST_LIMIT = 300  # a report lists at most this many of each, the most overdue (it says when cut)


async def monthly_report(unit: dict, month: dt.date, now: dt.datetime) -> MonthlyReport:
    today = local_today(now)
    scope = await scope_for(unit, Period.month(month), today)
    board = copy.deepcopy(await dashboard(scope))  # the heads are added to this copy only
    heads = await StaffUser.select(StaffUser.agency, StaffUser.full_name, StaffUser.position).where(
        (StaffUser.role == Role.agency_head.value) & (StaffUser.active == True)
        & StaffUser.agency.is_in([a.id for a in board.agencies] or [0])).order_by(StaffUser.full_name)
    for figure in board.agencies:
        figure.heads = [{"full_name": h["full_name"], "position": h["position"]} for h in heads
                        if h["agency"] == figure.id]
    lists = []
    for source, lister in ((measures.answers_due(scope, whole_backlog=True), measures.answer_items),
                           (measures.commitments_due(scope, whole_backlog=True), measures.commitment_items)):
        # Oldest due first, so the most overdue are the ones listed when the list is cut.
        total, rows = await lister(source, scope, "overdue", None, 0, OVERDUE_LIST_LIMIT)
        await _describe(rows, scope)
        rows.sort(key=lambda row: (-row["overdue_days"], row["agency_name"]))
        lists.append((total, rows))
    return MonthlyReport(dashboard=board, overdue_answers=lists[0][1], overdue_commitments=lists[1][1], made_on=today,
                         overdue_answers_total=lists[0][0], overdue_commitments_total=lists[1][0])
