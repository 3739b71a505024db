"""The state machines' tables (dialogue/machine/transitions.py StateMachine), written out by hand:
which action each state allows, where it leads, what the log calls it. Pure: no database."""

import uuid

import pytest

from dialogue.answers.machine import ANSWER
from dialogue.conferences.machine import CONFERENCE
from dialogue.core import vocabulary
from dialogue.core.errors import Conflict
from dialogue.core.i18n import language
from dialogue.machine.transitions import Action, StateMachine
from dialogue.questions.machine import QUESTION
from dialogue.questions.tables import Question

QUESTION_STATES = ["submitted", "accepted", "assigned", "answered", "rejected", "forwarded", "merged", "withdrawn"]
# action -> (the states it may start from, the state it leads to)
QUESTION_ACTIONS = {
    "accept": ({"submitted"}, "accepted"),
    "reject": ({"submitted", "accepted"}, "rejected"),
    "forward": ({"submitted", "accepted"}, "forwarded"),
    "merge": ({"submitted", "accepted", "assigned"}, "merged"),
    "unmerge": ({"merged"}, None),  # the command names it: the state before the merge
    "assign": ({"accepted", "assigned"}, "assigned"),
    "return": ({"assigned"}, "accepted"),
    "withdraw": ({"submitted", "accepted", "assigned"}, "withdrawn"),
    "answer": ({"assigned"}, "answered"),
}
ANSWER_ACTIONS = {
    "save": ({"", "draft", "returned"}, "draft"),
    "submit": ({"draft", "returned"}, "submitted"),
    "approve": ({"submitted"}, "approved"),
    "return": ({"submitted"}, "returned"),
    "organiser_return": ({"approved"}, "returned"),
    "publish": ({"approved"}, "published"),
}
CONFERENCE_ACTIONS = {
    "open": ({"draft", "closed"}, "open"),
    "close": ({"open"}, "closed"),
    "start": ({"open", "closed"}, "in_session"),
    "conclude": ({"in_session"}, "concluded"),
    "follow_up": ({"concluded"}, "followed_up"),
}
MACHINES = [
    (QUESTION, QUESTION_ACTIONS),
    (ANSWER, ANSWER_ACTIONS),
    (CONFERENCE, CONFERENCE_ACTIONS),
]


@pytest.mark.parametrize("machine, table", MACHINES, ids=lambda m: getattr(m, "entity", ""))
def test_each_state_allows_exactly_its_actions(machine, table):
    assert set(machine.actions) == set(table)
    for state in [*machine.states, ""]:
        expected = {action for action, (sources, _target) in table.items() if state in sources}
        assert machine.allowed(state) == expected, state
        for action, (sources, target) in table.items():
            assert machine.allows(state, action) is (state in sources), (state, action)
            if state in sources:
                assert machine.target_of(state, action) == target
            else:
                with pytest.raises(Conflict):
                    machine.target_of(state, action)


def test_no_state_is_read_as_the_empty_state():
    assert ANSWER.allowed(None) == {"save"} and ANSWER.allows(None, "save")
    assert ANSWER.target_of(None, "save") == "draft"
    assert ANSWER.is_in("editable", None) and not ANSWER.is_in("published", None)
    assert not QUESTION.allows(None, "accept") and QUESTION.allowed(None) == frozenset()
    assert not QUESTION.is_in("public", None)


def test_unknown_actions_are_allowed_nowhere():
    assert not QUESTION.allows("submitted", "delete") and not QUESTION.allows("", "")
    with pytest.raises(Conflict):
        QUESTION.target_of("submitted", "delete")


def test_a_refused_step_says_why_in_the_readers_language():
    with language("en"), pytest.raises(Conflict) as refused:
        QUESTION.target_of("answered", "withdraw")
    assert str(refused.value) == ("This cannot be done from the present state. "
                                  "Reload the page to see what changed.")


def test_the_named_sets():
    assert QUESTION.sets["screening"] == {"submitted"} and QUESTION.sets["with_agency"] == {"assigned"}
    assert QUESTION.sets["answerable"] == {"assigned", "answered"}
    assert QUESTION.sets["can_take_others"] == {"submitted", "accepted", "assigned", "answered", "forwarded"}
    assert [s for s in QUESTION_STATES if QUESTION.is_in("public", s)] == ["accepted", "assigned", "answered"]
    assert ANSWER.sets["editable"] == {"", "draft", "returned"} and ANSWER.sets["published"] == {"published"}
    assert CONFERENCE.sets["public"] == {"open", "closed", "in_session", "concluded", "followed_up"}
    assert CONFERENCE.sets["taking_questions"] == {"open"}


def test_the_log_names_of_actions():
    assert QUESTION.logged_as("accept") == "accept" and QUESTION.logged_as("return") == "returned"
    assert QUESTION.logged_as("withdraw") == "withdrawn"
    assert ANSWER.logged_as("save") == "answer_saved" and ANSWER.logged_as("submit") == "answer_submit"
    assert CONFERENCE.logged_as("open") == "conference_open"


def test_a_machine_declares_its_words_once():
    toy = f"toy{uuid.uuid4().hex[:8]}"  # a name no earlier test declared, in this process or its parent
    machine = StateMachine(
        entity=toy, table=Question, log_prefix=f"{toy}_",
        states={"new": "Brand new", "done": "All done"},
        actions=StateMachine.define(
            Action("finish", frozenset({"new"}), "done", "finished the toy", public="Finished", public_reason=False),
            Action("check", frozenset({"new", "done"}), None, "checked the toy", logged_as=f"{toy}_checked_it"),
            Action("show", frozenset({"done"}), "done", "showed the toy", public="Shown"),
        ),
        sets={"finished": frozenset({"done"})},
        explained={"done": "Nothing more to do."},
    )
    assert list(machine.actions) == ["finish", "check", "show"] and machine.actions["finish"].target == "done"
    assert vocabulary.word(f"{toy}_state", "new") == "Brand new"
    assert vocabulary.word(f"{toy}_state", "done") == "All done"
    assert vocabulary.explained(f"{toy}_state", "done") == "Nothing more to do."
    assert vocabulary.action_sentence(f"{toy}_finish") == "finished the toy"
    assert vocabulary.public_action(f"{toy}_finish") == "Finished"
    assert not vocabulary.shows_reason_publicly(f"{toy}_finish")
    assert vocabulary.action_sentence(f"{toy}_checked_it") == "checked the toy"
    assert vocabulary.public_action(f"{toy}_checked_it") is None
    assert vocabulary.public_action(f"{toy}_show") == "Shown" and vocabulary.shows_reason_publicly(f"{toy}_show")
    assert machine.logged_as("finish") == f"{toy}_finish" and machine.logged_as("check") == f"{toy}_checked_it"
    assert machine.target_of("done", "check") is None


def test_the_real_machines_declared_their_words():
    with language("vi"):
        assert vocabulary.word("question_state", "accepted") == "Đã chấp nhận"
    with language("en"):
        assert vocabulary.word("answer_state", "published") == "Published"
        assert vocabulary.word("conference_state", "open") == "Open for questions"
        assert vocabulary.action_sentence("returned") == "returned the question: not for their agency"
        assert vocabulary.public_action("returned") == "Sent back for routing to the right agency"
    assert not vocabulary.shows_reason_publicly("returned") and vocabulary.shows_reason_publicly("accept")


@pytest.mark.parametrize("bad", [
    {"actions": StateMachine.define(Action("go", frozenset({"new"}), "gone", "went"))},  # unknown target
    {"actions": StateMachine.define(Action("go", frozenset({"old"}), "new", "went"))},  # unknown source
    {"sets": {"live": frozenset({"new", "zombie"})}},  # a set naming an unknown state
])
def test_a_machine_naming_unknown_states_is_refused(bad):
    with pytest.raises(ValueError, match="unknown state"):
        StateMachine(entity="broken", table=Question, states={"new": "New"}, **{"actions": {}, **bad})


def test_the_empty_state_and_a_target_left_to_the_command_are_allowed():
    machine = StateMachine(entity="lenient", table=Question, states={"new": "New"},
                           actions=StateMachine.define(Action("begin", frozenset({""}), "new", "began"),
                                                       Action("redo", frozenset({"new"}), None, "redid")),
                           sets={"any": frozenset({"", "new"})})
    assert machine.allowed("") == {"begin"} and machine.is_in("any", None)
