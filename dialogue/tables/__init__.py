"""Piccolo tables, one module per area. ALL_TABLES is what the app and migrations know."""

from dialogue.tables.accounts import SessionRecord, SignInFailure, StaffUser
from dialogue.tables.answers import Answer, AnswerFile, AnswerPart
from dialogue.tables.audit import ActionLog
from dialogue.tables.conference import Conference
from dialogue.tables.mail import OutboxMessage
from dialogue.tables.questions import Assignment, ConferenceTopic, Follower, Question, ReminderSent
from dialogue.tables.reference import AdminUnit, Agency, Holiday, Topic

ALL_TABLES = [
    AdminUnit, Agency, Topic, Holiday, Conference, StaffUser, SessionRecord, SignInFailure, ActionLog,
    Question, Follower, ConferenceTopic, OutboxMessage, Assignment, ReminderSent, Answer, AnswerPart, AnswerFile,
]

__all__ = [
    "ALL_TABLES", "AdminUnit", "Agency", "Topic", "Holiday", "Conference", "StaffUser", "SessionRecord",
    "SignInFailure", "ActionLog", "Question", "Follower", "ConferenceTopic", "OutboxMessage", "Assignment",
    "ReminderSent", "Answer", "AnswerPart", "AnswerFile",
]
