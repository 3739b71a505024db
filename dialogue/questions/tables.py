"""Questions from residents, organisations and businesses, and the people who follow them."""

from __future__ import annotations

from enum import Enum

from piccolo.columns import BigInt, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from dialogue.conferences.tables import Conference
from dialogue.reference.tables import AdminUnit, Agency, Topic


class Question(Table, tablename="question"):
    """A question put to a conference. The asker's identity is never public; the tracking code
    opens the public view, the secret manage link (kept only as a hash) the asker's own."""

    class AskerKind(str, Enum):
        resident = "resident"
        business = "business"
        organisation = "organisation"

    class AnswerMode(str, Enum):
        session = "session"  # to be answered at the conference
        writing = "writing"

    class Origin(str, Enum):
        online = "online"
        floor = "floor"  # asked in the hall during the session, recorded by the secretary

    class NotifyBy(str, Enum):
        """How the asker hears about their question: only through a contact they gave."""

        email = "email"
        sms = "sms"
        zalo = "zalo"  # a Zalo Official Account's template message (ZNS), to the phone number
        none = "none"  # no news: the asker looks at the tracking page

    class State(str, Enum):
        submitted = "submitted"
        accepted = "accepted"
        assigned = "assigned"
        answered = "answered"
        rejected = "rejected"
        forwarded = "forwarded"
        merged = "merged"
        withdrawn = "withdrawn"

    conference = ForeignKey(Conference, null=False, index=True)
    tracking_code = Varchar(length=16, unique=True, index=True, help_text="13 Crockford base-32 characters (65 bits).")
    manage_token_hash = Varchar(length=64, help_text="SHA-256 of the secret manage token.")
    form_token = Varchar(length=64, unique=True, help_text="One per form shown: a resubmission creates nothing new.")
    asker_kind = Varchar(length=12, choices=AskerKind)
    asker_name = Varchar(length=100)
    asker_email = Varchar(length=254, default="")
    asker_phone = Varchar(length=16, default="", help_text="E.164, e.g. +84912345678.")
    organisation_name = Varchar(length=200, default="")
    tax_code = Varchar(length=14, default="")
    tax_code_unverified = Boolean(default=False, help_text="The check digit failed and the asker confirmed it.")
    unit = ForeignKey(AdminUnit, null=False, help_text="The area the question concerns.")
    topic = ForeignKey(Topic, null=False)
    title = Varchar(length=150)
    body = Text()
    search_folded = Text(default="", help_text="Title and text without diacritics, for search.")
    answer_mode = Varchar(length=8, choices=AnswerMode, default=AnswerMode.writing)
    notify_by = Varchar(length=5, choices=NotifyBy, default=NotifyBy.email,
                        help_text="The channel the asker chose for news of their question.")
    public_consent = Boolean(default=False, help_text="The question (never the asker) may be shown publicly.")
    data_consent_at = Timestamptz(help_text="When the asker agreed to the processing of their personal data.")
    personal_data_erased_at = Timestamptz(
        null=True, default=None,
        help_text="When the asker's name and contacts were erased (consent withdrawn, erasure, or retention).")
    language = Varchar(length=2, default="vi")
    state = Varchar(length=12, choices=State, default=State.submitted, index=True)
    submitted_from = Varchar(length=64, default="", index=True,
                             help_text="Client address (IPv6 /64), for the submission limit.")
    public_summary = Text(default="", help_text="The organisers' summary, shown instead of the title and text.")
    public_text = Text(default="", help_text="The text as published, personal details redacted (empty: the original).")
    decision_category = Varchar(length=20, default="", help_text="Why rejected: complaint, denunciation, abusive…")
    decision_reason = Text(default="", help_text="The reason the asker was given for the last decision.")
    forwarded_to = Varchar(length=250, default="", help_text="The body a forwarded question went to.")
    merged_into = ForeignKey("self", null=True, default=None, help_text="The main question this one joined.")
    screening_due_on = Date(null=True, default=None, help_text="10 working days after receipt (Law 42/2013 Art. 28).")
    answer_due_on = Date(null=True, default=None, index=True, help_text="When the lead agency's answer is due.")
    origin = Varchar(length=8, choices=Origin, default=Origin.online)
    returned_by_agency = Boolean(default=False, help_text="An agency said it is not theirs: to be routed again.")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class Follower(Table, tablename="follower"):
    """Someone who asked to be e-mailed about a question (double opt-in)."""

    question = ForeignKey(Question, null=False, index=True)
    email = Varchar(length=254)
    token = Varchar(length=64, unique=True, help_text="Confirms and unsubscribes; sent only by e-mail.")
    language = Varchar(length=2, default="vi")
    confirmed_at = Timestamptz(null=True, default=None)
    unsubscribed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Assignment(Table, tablename="assignment"):
    """A question routed to an agency: one lead, any number of contributors."""

    class Role(str, Enum):
        lead = "lead"
        contributing = "contributing"

    question = ForeignKey(Question, null=False, index=True)
    agency = ForeignKey(Agency, null=False, index=True)
    role = Varchar(length=12, choices=Role, default=Role.lead)
    assigned_at = Timestamptz(default=TimestamptzNow())
    due_on = Date(null=True, default=None)
    active = Boolean(default=True, index=True, help_text="False once returned or reassigned.")
    returned_reason = Text(default="")


class ReminderSent(Table, tablename="reminder_sent"):
    """A deadline reminder already sent, so that each is sent once per item and threshold."""

    key = Varchar(length=60, unique=True, help_text="assignment:kind — a second worker's insert of it fails.")
    assignment = ForeignKey(Assignment, null=False)
    kind = Varchar(length=20, help_text="due_soon (to the agency head) or overdue (to the organisers).")
    sent_at = Timestamptz(default=TimestamptzNow())


class SimilarityEntry(Table, tablename="question_match"):
    """A question as the similar-question lookup reads it (similarity.py): its public heading and
    text normalised, and its profile (likeness.py), computed once; its phrases are in
    question_phrase. Written in the transaction that writes the question; a withdrawn question has
    none."""

    question = ForeignKey(Question, null=False, unique=True)
    conference = Integer(help_text="The question's conference.")
    conference_unit = Integer(help_text="The conference's unit: the lookup also reads its recent conferences.")
    created_at = Timestamptz()
    main_question = Integer(null=True, default=None, help_text="Merged: the main question it joined.")
    listed = Boolean(default=False, help_text="Shown on the public pages (public state, and the asker agreed).")
    text = Text(help_text="The normalised words between spaces, which its phrases are drawn from.")
    profile = Text(help_text="The profile as JSON: places, problems, heading.")


class SimilarityPhrase(Table, tablename="question_phrase"):
    """The similar-question index: one row for each phrase an entry is found by (a hash of
    likeness.index_phrases), read through an index on (phrase, conference_unit, question) as "the
    newest questions of this unit holding this phrase", which stops after the first hundred whatever
    the size of the province. Written with its entry, in the same transaction."""

    phrase = BigInt(help_text="The phrase's 64-bit hash (similarity.phrase_key).")
    question = Integer(help_text="The entry's question.")
    conference_unit = Integer(help_text="The entry's unit, so that a lookup reads only its own unit's rows.")
