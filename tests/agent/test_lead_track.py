"""Questions about SignalDesk's own calls, end to end with the offline planner: the
``track_record`` tool runs on the settings' database, the first sentence gives the hit rate of
the last resolved calls beside always-buy and momentum, every number verifies; no resolved call
is an answer too, not a decline. The company's own record still answers with its returns."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pandas as pd
import pytest

from agent.answer_first import answer_lead_problems
from agent.deps import deps_from_settings
from agent.runner import Agent, RunResult
from core.settings import load_settings
from data.store import NewCall, PredictionStore, make_engine, upgrade
from tools.track import resolve_due

AS_OF = date(2013, 2, 25)
ACTIONS = ("BUY", "SELL", "BUY", "HOLD", "STRONG BUY")


def _record(agent: Agent) -> None:
    """Weekly IBM calls from June 2012 at 1, 5 and 20 bars (the briefing's), the first ten
    shown in the chat too; resolved up to 2013-01-31 (later ones are scored from the bars)."""
    engine = make_engine(load_settings().sqlalchemy_url)
    upgrade(engine)
    store = PredictionStore(engine)
    days = [d.date() for d in pd.bdate_range("2012-06-01", "2013-02-22", freq="W-FRI")]
    calls = [
        NewCall(source="briefing", ticker="IBM", as_of=d, horizon_days=h,
                action=ACTIONS[i % len(ACTIONS)], score=0.5, config_hash="cfg")
        for i, d in enumerate(days)
        for h in (1, 5, 20)
    ]  # fmt: skip
    store.record(calls)
    store.record([dataclasses.replace(c, source="chat") for c in calls[:30]])
    resolve_due(store, agent.deps.context_for(AS_OF).market, as_of=date(2013, 1, 31))
    engine.dispose()


def _evidence(result: RunResult) -> dict:
    [ev] = [e for e in result.evidence if e.kind == "track_record"]
    return ev.values


def _first_sentence(result: RunResult) -> str:
    return result.answer.markdown.split("]. ", 1)[0]


@pytest.fixture
def agent() -> Agent:
    return Agent(deps_from_settings(load_settings(), model=None))


def test_how_have_your_calls_done_answers_with_the_cited_hit_rate(agent: Agent) -> None:
    _record(agent)
    result = agent.ask("How have your calls on IBM done?", as_of=AS_OF)
    assert [s.name for s in result.steps] == ["track_record"]
    assert not result.answer.refused and result.answer.signal is None
    assert result.verification.ok, result.verification.problems()
    assert not answer_lead_problems(result.answer, result.request)
    v = _evidence(result)
    five = next(r for r in v["horizons"] if r["horizon_days"] == 5)["recent"]
    assert five["calls"] > 30 and 0 < five["directional"] < five["calls"]
    lead = _first_sentence(result)
    assert lead.startswith(f"Of my {five['calls']} resolved 5-day calls on IBM as of {AS_OF}")
    assert f"the {five['directional']} that took a side" in lead
    assert f"were right {five['hit_rate']:.1%} of the time" in lead
    assert f"always-buy {five['always_buy']:.1%}, momentum {five['momentum']:.1%}" in lead
    assert re.search(r"\[E-track_record-IBM-20130225-[0-9a-f]{8}\]", lead + "]")
    assert v["entry_points"] == ["briefing", "chat"] and v["calls"] == 39 * 3
    assert f"All {v['calls']} of my calls on IBM" in result.answer.markdown


def test_a_horizon_asked_for_leads_and_every_company_when_none_is_named(agent: Agent) -> None:
    _record(agent)
    result = agent.ask("how right were your 20-day calls?", as_of=AS_OF)
    assert result.steps[0].name == "track_record" and result.verification.ok
    assert _first_sentence(result).startswith("Of my ")
    assert "resolved 20-day calls across all companies" in _first_sentence(result)


def test_no_resolved_call_yet_is_an_answer_not_a_decline(agent: Agent) -> None:
    result = agent.ask("What's your track record on IBM?", as_of=AS_OF)
    assert [s.name for s in result.steps] == ["track_record"]
    assert not result.answer.refused and result.verification.ok
    assert result.answer.markdown.startswith(
        f"There are no resolved calls yet for IBM as of {AS_OF} (0 recorded up to that date, "
        "0 pending) [E-track_record-IBM-20130225-"
    )


def test_the_companys_own_record_still_answers_with_its_return(agent: Agent) -> None:
    result = agent.ask("How has IBM done this year?", as_of=AS_OF)
    assert [s.name for s in result.steps] == ["period_stats"]
