"""Words shown for stored codes, translated at the time of showing."""

from __future__ import annotations

from dialogue.core.i18n import gettext as _


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
        "conference_created": _("created the conference"),
        "conference_updated": _("changed the conference"),
        "conference_open": _("opened the conference for questions"),
        "conference_close": _("closed the conference for questions"),
        "conference_start": _("started the session"),
        "conference_conclude": _("concluded the conference"),
        "conference_follow_up": _("marked every follow-up as settled"),
        "submitted": _("sent the question"),
        "withdrawn": _("withdrew the question"),
        "accept": _("accepted the question"),
        "reject": _("did not accept the question"),
        "forward": _("sent the question to another body"),
        "merge": _("joined the question with a similar one"),
        "unmerge": _("separated the question again"),
        "assign": _("routed the question to an agency"),
        "returned": _("returned the question: not for their agency"),
        "public_text_edited": _("edited the public text"),
        "answer_saved": _("saved the answer draft"),
        "answer_submit": _("sent the answer for approval"),
        "answer_approve": _("approved the answer"),
        "answer_return": _("returned the answer to the officer"),
        "answer_organiser_return": _("sent the answer back to the agency"),
        "answer_publish": _("published the answer"),
        "answer_part_saved": _("saved their agency's part of the answer"),
        "answered": _("published the answer"),
        "answer_file_added": _("attached a file to the answer"),
        "answer_at_session": _("marked the answer to be given at the session"),
        "answer_in_writing": _("marked the answer to be given in writing"),
    }.get(entry["action"], entry["action"])
    sentence = f"{who} {what}"
    details = entry.get("details") or {}
    if isinstance(details, dict) and entry["action"].endswith("_updated") and details:
        sentence += " (" + ", ".join(sorted(details)) + ")"
    if entry.get("reason"):
        sentence += f": {entry['reason']}"
    return sentence


def asker_kind(kind: str) -> str:
    return {"resident": _("A resident"), "business": _("A business or household business"),
            "organisation": _("An organisation")}.get(kind, kind)


def question_state(state: str) -> str:
    return {
        "submitted": _("Received, being screened"), "accepted": _("Accepted"),
        "assigned": _("With the agency responsible"), "answered": _("Answered"), "rejected": _("Not accepted"),
        "forwarded": _("Sent to another body"), "merged": _("Joined with a similar question"),
        "withdrawn": _("Withdrawn by the person who asked"),
    }.get(state, state)


def question_state_explained(state: str) -> str:
    return {
        "submitted": _("The organisers will decide within 10 working days whether the question is accepted."),
        "accepted": _("The question has been accepted and will be sent to the agency responsible."),
        "assigned": _("The agency responsible is preparing the answer."),
        "answered": _("The answer has been published."),
        "rejected": _("The organisers explained why this question was not accepted."),
        "forwarded": _("The matter is for another body; the organisers said which."),
        "merged": _("It is answered together with a similar question."),
        "withdrawn": _("The person who asked withdrew the question; no answer will be given."),
    }.get(state, "")


def public_event(entry: dict) -> str:
    """An action-log entry on a question, as the public timeline says it (no staff names)."""
    text = {
        "submitted": _("Question received"),
        "withdrawn": _("Withdrawn by the person who asked"),
        "returned": _("Sent back for routing to the right agency"),
        "unmerge": _("Handled on its own again"),
        "answered": _("Answered"),
    }.get(entry["action"], question_state(entry.get("to_state") or "") or entry["action"])
    return f"{text}: {entry['reason']}" if entry.get("reason") else text


def conference_action(action: str) -> str:
    return {
        "open": _("Open for questions"), "close": _("Close for questions"), "start": _("Start the session"),
        "conclude": _("Conclude the conference"), "follow_up": _("Mark every follow-up as settled"),
    }.get(action, action)


def complaint_guidance() -> str:
    return _("Complaints and denunciations are handled under their own legal procedures: send yours to the "
             "citizen reception office (Ban tiếp công dân) of the People's Committee, or to the authority that "
             "made the decision you complain about.")


def rejection_category(category: str) -> str:
    return {"complaint": _("A complaint: it follows its own procedure"),
            "denunciation": _("A denunciation: it follows its own procedure"),
            "abusive": _("Abusive or offensive"), "not_question": _("Not a question for this conference")}.get(category, category)


def answer_state(state: str) -> str:
    return {"draft": _("Draft"), "submitted": _("Waiting for the agency head's approval"),
            "returned": _("Returned for changes"), "approved": _("Approved, to be published"),
            "published": _("Published")}.get(state, state)
