"""Words shown for stored codes, translated at the time of showing."""

from __future__ import annotations

from dialogue.i18n import gettext as _


def conference_state(state: str) -> str:
    return {
        "draft": _("Draft"), "open": _("Open for questions"), "closed": _("Closed for questions"),
        "in_session": _("In session"), "concluded": _("Concluded"), "followed_up": _("Followed up"),
    }.get(state, state)


def role_name(role: str) -> str:
    return {
        "admin": _("Administrator"), "organiser": _("Organiser"), "secretary": _("Secretary"),
        "agency_officer": _("Agency officer"), "agency_head": _("Agency head"), "viewer": _("Leadership (read only)"),
    }.get(role, role)


def log_sentence(entry: dict) -> str:
    """One action-log entry as a sentence: "Nguyễn Văn An created the account"."""
    who = entry.get("actor_name") or (
        _("The asker") if entry.get("actor_kind") == "public" else _("The system")
    )
    what = {
        "signed_in": _("signed in"),
        "signed_out": _("signed out"),
        "password_changed": _("changed their password"),
        "password_reset": _("reset the password"),
        "account_created": _("created the account"),
        "account_updated": _("changed the account"),
        "agency_created": _("created the agency"),
        "agency_updated": _("changed the agency"),
        "topic_created": _("created the topic"),
        "topic_updated": _("changed the topic"),
        "holiday_created": _("added the day to the calendar"),
        "holiday_updated": _("changed the day in the calendar"),
        "holiday_deleted": _("removed the day from the calendar"),
        "units_reloaded": _("reloaded the map of administrative units"),
    }.get(entry["action"], entry["action"])
    sentence = f"{who} {what}"
    details = entry.get("details") or {}
    if isinstance(details, dict) and entry["action"].endswith("_updated") and details:
        sentence += " (" + ", ".join(sorted(details)) + ")"
    if entry.get("reason"):
        sentence += f": {entry['reason']}"
    return sentence
