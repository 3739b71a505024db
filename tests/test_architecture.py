"""The rules of the code's shape that a reader relies on, kept by tests as well as by import-linter."""

import dataclasses
import re

from dialogue.agenda.queries import (
    HallScreen,
    LivePage,
    PublicAgendaItem,
    PublicAnswerText,
    PublicCommitment,
    PublicOutcome,
)
from dialogue.answers.queries import PublicAnswer
from dialogue.core.settings import PROJECT_ROOT
from dialogue.questions.tracking import PublicQuestion, public_view

TEMPLATES = PROJECT_ROOT / "templates"
WEB = PROJECT_ROOT / "dialogue" / "web"
PERSONAL = {"asker_name", "asker_email", "asker_phone", "organisation_name", "tax_code", "manage_token_hash",
            "form_token", "submitted_from", "data_consent_at", "language", "body", "title", "public_text"}
INTERNAL = {"updated_by", "approved_by", "return_comment", "version", "state", "at_session"}  # of an answer
STAFF = {"created_by", "answered_by_name", "chair", "secretary", "name"}  # who among the staff (a position is public)


def test_no_template_tests_a_state_name():
    """Pages ask the state machines what an object allows (or a flag the service set); only the
    words for a state come from its name."""
    test_of_state = re.compile(r"state\s*(==|!=)\s*[\"']|state\s+(not\s+)?in\s*[(\[]|\"equalto\", \"\w+\"")
    offenders = [f"{path.relative_to(TEMPLATES)}:{number}" for path in TEMPLATES.rglob("*.*")
                 for number, line in enumerate(path.read_text().splitlines(), 1) if test_of_state.search(line)]
    assert offenders == []


def test_the_web_layer_imports_no_table():
    offenders = [path.name for path in WEB.glob("*.py")
                 if re.search(r"^from dialogue\.\w+\.tables import|^from piccolo", path.read_text(), re.M)]
    assert offenders == []


def test_the_open_data_records_cannot_carry_personal_data():
    """The API's and Open311's records (msgspec Structs) have no field for who asked or how to reach them."""
    import msgspec

    from dialogue.opendata import agency, open311, records

    who = PERSONAL - {"title", "body", "public_text", "language"}  # a conference has a title too
    for module in (records, open311, agency):
        for struct in vars(module).values():
            if isinstance(struct, type) and issubclass(struct, msgspec.Struct) and struct is not msgspec.Struct:
                assert set(struct.__struct_fields__) & who == set(), struct
    # a public question carries its published heading and text, never the fields they may replace
    assert {"title", "body", "public_text"} & set(records.Question.__struct_fields__) == set()


def test_the_public_views_cannot_carry_personal_data():
    assert {field.name for field in dataclasses.fields(PublicQuestion)} & PERSONAL == set()
    assert {field.name for field in dataclasses.fields(PublicAnswer)} & INTERNAL == set()
    assert {field.name for field in dataclasses.fields(PublicAgendaItem)} & PERSONAL == set()
    assert {field.name for field in dataclasses.fields(PublicAnswerText)} & INTERNAL == set()
    assert dataclasses.fields(PublicAgendaItem)[-2].type in ("PublicQuestion", PublicQuestion)  # its question's view
    for view in (PublicOutcome, PublicCommitment, LivePage, HallScreen):  # the live page's and the hall screen's
        assert {field.name for field in dataclasses.fields(view)} & (PERSONAL | INTERNAL | STAFF) == set(), view


def test_a_question_not_yet_public_shows_neither_its_title_nor_its_text():
    row = {"id": 1, "tracking_code": "ABCDEFGHJKMNP", "conference": 1, "conference_title": "Hội nghị",
           "state": "submitted", "topic_vi": "Đất đai", "topic_en": "Land", "unit_name": "Phường Đống Đa",
           "asker_kind": "resident", "created_at": None, "public_consent": True, "public_summary": "",
           "title": "Tiêu đề riêng", "body": "Nội dung riêng", "public_text": "", "merged_into": None,
           "screening_due_on": None, "asker_email": "an@example.vn", "asker_name": "Nguyễn Văn An"}
    hidden = public_view(row)
    assert (hidden.heading, hidden.text, hidden.is_public) == ("", "", False)
    shown = public_view({**row, "state": "accepted", "public_text": "Nội dung đã biên tập"})
    assert (shown.heading, shown.text) == ("Tiêu đề riêng", "Nội dung đã biên tập")
    assert "an@example.vn" not in repr(shown) and "Nguyễn Văn An" not in repr(shown)
    assert public_view({**row, "state": "accepted", "public_consent": False}).text == ""

