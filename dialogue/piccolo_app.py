"""Piccolo app configuration: every table of the app and where their migrations live.

This module sits on top with web/ and the command line: it is the one place that knows every
domain's tables (the engine is bound to them at start-up).
"""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from dialogue.accountability.tables import MonthlyReportSent
from dialogue.accounts.tables import ApiToken, SessionRecord, SignInFailure, StaffUser
from dialogue.agenda.tables import AgendaItem, ConferenceSession, SessionAttendee
from dialogue.answers.tables import Answer, AnswerFact, AnswerFile, AnswerMonth, AnswerPart, AnswerPromise
from dialogue.commitments.tables import (
    Commitment,
    CommitmentAgency,
    CommitmentConfirmation,
    CommitmentFile,
    CommitmentReminder,
    CommitmentUpdate,
)
from dialogue.conferences.tables import Conference, ConferenceTopic
from dialogue.documents.tables import ConferenceDocument
from dialogue.inspections.tables import InspectionFile, InspectionItem, InspectionRound
from dialogue.machine.events import LiveEvent
from dialogue.machine.log import ActionLog
from dialogue.mail.tables import OutboxAttachment, OutboxMessage
from dialogue.privacy.tables import DataRequest
from dialogue.questions.tables import Assignment, Follower, Question, ReminderSent, SimilarityEntry, SimilarityPhrase
from dialogue.ratings.tables import Rating
from dialogue.reference.tables import AdminUnit, Agency, Holiday, Topic

ALL_TABLES = [
    AdminUnit, Agency, Topic, Holiday, Conference, StaffUser, SessionRecord, SignInFailure, ActionLog, LiveEvent,
    Question, Follower, ConferenceTopic, OutboxMessage, Assignment, ReminderSent, Answer, AnswerPart, AnswerFile,
    Commitment, CommitmentAgency, CommitmentUpdate, CommitmentReminder, CommitmentFile, AgendaItem, ConferenceSession,
    SessionAttendee, CommitmentConfirmation, AnswerPromise,
    ConferenceDocument, Rating, InspectionRound, InspectionItem, InspectionFile,
    MonthlyReportSent, AnswerFact, AnswerMonth, OutboxAttachment, SimilarityEntry,
    SimilarityPhrase, ApiToken, DataRequest,
]

APP_CONFIG = AppConfig(
    app_name="dialogue",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent / "migrations" / "dialogue"),
    table_classes=ALL_TABLES,
    migration_dependencies=[],
    commands=[],
)
