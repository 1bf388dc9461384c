"""How a run's question and as-of date are told from what the thread's last turn left."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from agent._turn_input import run_date, turn_question
from agent.state import AgentContext, AgentState

LAST = date(2012, 6, 29)


def after_a_turn(*, drop: tuple[str, ...] = (), **update: Any) -> AgentState:  # noqa: ANN401
    """A thread whose one turn asked about AAPL as of ``LAST``, with ``update`` written over
    and the keys in ``drop`` left out."""
    state: dict[str, Any] = {
        "messages": [HumanMessage("What is AAPL's RSI?"), AIMessage("AAPL's RSI(14) is 55.6")],
        "question": "What is AAPL's RSI?",
        "as_of": LAST,
        "turn_as_of": LAST,
        "turn": 0,
    }
    kept = {k: v for k, v in (state | update).items() if k not in drop}
    return AgentState(**kept)  # type: ignore[typeddict-item]


def test_a_new_human_message_is_the_question_even_when_the_input_has_one() -> None:
    messages = [*after_a_turn()["messages"], HumanMessage("and its VaR?")]
    asked = turn_question(after_a_turn(messages=messages, question="What is MSFT's RSI?"))
    assert (asked.index, asked.text, asked.added) == (2, "and its VaR?", ())


def test_an_input_question_joins_the_thread_as_a_human_message() -> None:
    asked = turn_question(after_a_turn(question="What is MSFT's RSI?"))
    assert (asked.index, asked.text) == (2, "What is MSFT's RSI?")
    assert [m.content for m in asked.added] == ["What is MSFT's RSI?"]


def test_no_question_on_a_new_thread() -> None:
    assert turn_question(AgentState(messages=[])).index == -1


@pytest.mark.parametrize(
    ("state", "forced", "previous"),
    [
        pytest.param(
            AgentState(messages=[], as_of="2011-06-30"), date(2011, 6, 30), None, id="new"
        ),
        pytest.param(after_a_turn(), None, LAST, id="unchanged"),
        pytest.param(after_a_turn(as_of="2012-06-29"), LAST, LAST, id="same-day-as-iso"),
        pytest.param(after_a_turn(as_of=date(2011, 6, 30)), date(2011, 6, 30), LAST, id="new-date"),
        pytest.param(after_a_turn(as_of=""), None, LAST, id="empty-field"),
        # a thread stored before turn_as_of: its as_of is the last turn's date, not an input
        pytest.param(
            after_a_turn(as_of="2012-06-29", drop=("turn_as_of",)), None, "2012-06-29", id="legacy"
        ),
    ],
)
def test_the_input_date_is_told_from_the_last_turns(
    state: AgentState, forced: date | None, previous: date | str | None
) -> None:
    dated = run_date(state, context=None, configurable={})
    assert (dated.forced, dated.problem, dated.previous) == (forced, None, previous)


def test_the_context_then_the_configurable_fix_the_date_when_the_input_does_not() -> None:
    context = AgentContext(as_of=date(2011, 6, 30))
    configurable = {"as_of": "2010-06-30"}
    assert run_date(after_a_turn(), context=context, configurable=configurable).forced == date(
        2011, 6, 30
    )
    assert run_date(after_a_turn(), context=None, configurable=configurable).forced == date(
        2010, 6, 30
    )


def test_a_bad_date_is_a_problem_naming_where_it_came_from() -> None:
    dated = run_date(after_a_turn(), context=None, configurable={"as_of": "June 29"})
    assert dated.forced is None
    assert dated.problem is not None
    assert dated.problem.startswith(
        "I can't answer as of 'June 29': that is not a date (configurable as_of takes YYYY-MM-DD)."
    )
