"""Planning from the typed request: each ask gets the tools that compute exactly what it asks."""

from __future__ import annotations

from datetime import date

import pytest

from agent.plan_table import forecast_horizon, period_args, request_calls
from agent.question import ParsedQuestion
from agent.request import Decline, DocScope, Period, Quantity, Verdict


def req(ask: str | None, *tickers: str, **fields: object) -> ParsedQuestion:
    return ParsedQuestion(text="q", normalized="q", tickers=tickers, ask=ask, **fields)  # type: ignore[arg-type]


def names(q: ParsedQuestion) -> list[str]:
    calls = request_calls(q)
    assert calls is not None
    return [name for name, _ in calls]


def test_a_month_of_var_is_a_21_day_risk_call() -> None:
    q = req("var", "IBM", quantity=Quantity(level=0.99, horizon_days=21))
    assert request_calls(q) == [("risk", {"ticker": "IBM", "horizon_days": 21})]


def test_var_without_a_horizon_is_one_day_and_expected_shortfall_uses_the_same_tool() -> None:
    assert request_calls(req("var", "MSFT")) == [("risk", {"ticker": "MSFT", "horizon_days": 1})]
    assert names(req("cvar", "MSFT")) == ["risk"]


def test_a_past_window_goes_to_period_stats_relative_windows_stay_relative() -> None:
    year = Quantity(period=Period(lookback_days=365))
    assert request_calls(req("drawdown", "AAPL", quantity=year)) == [
        ("period_stats", {"ticker": "AAPL", "lookback_days": 365})
    ]
    cal = Quantity(period=Period(start=date(2011, 1, 1), end=date(2011, 12, 31)))
    assert request_calls(req("return", "AAPL", quantity=cal)) == [
        ("period_stats", {"ticker": "AAPL", "start": "2011-01-01", "end": "2011-12-31"})
    ]
    ytd = Quantity(period=Period(year_to_date=True))
    assert request_calls(req("volatility", "IBM", quantity=ytd)) == [
        ("period_stats", {"ticker": "IBM", "year_to_date": True})
    ]


def test_without_a_window_drawdown_is_forward_risk_and_return_the_snapshot() -> None:
    assert names(req("drawdown", "AAPL")) == ["risk"]
    assert names(req("return", "AAPL")) == ["market_snapshot"]
    assert names(req("volatility", "AAPL")) == ["risk"]


def test_how_a_strategy_would_have_done_is_a_backtest_of_that_strategy() -> None:
    q = req("backtest", "AAPL", quantity=Quantity(strategy="sma_cross", baseline="buy_and_hold"))
    assert request_calls(q) == [("backtest", {"ticker": "AAPL", "strategy": "sma_cross"})]
    since = Quantity(strategy="technical", period=Period(start=date(2008, 1, 1)))
    assert request_calls(req("backtest", "IBM", quantity=since)) == [
        ("backtest", {"ticker": "IBM", "strategy": "technical", "start_year": 2008})
    ]


def test_has_the_model_held_up_is_the_ml_walk_forward_record_not_a_forecast() -> None:
    assert request_calls(req("model_record", "MSFT")) == [
        ("backtest", {"ticker": "MSFT", "strategy": "ml"})
    ]


def test_direction_asks_the_model_at_the_nearest_horizon_and_gathers_the_signal_too() -> None:
    q = req("direction", "MSFT", quantity=Quantity(horizon_days=1))
    assert request_calls(q) == [
        ("model_forecast", {"ticker": "MSFT", "horizon": 1}),
        ("signal", {"ticker": "MSFT"}),
    ]
    assert forecast_horizon(None) == 5 and forecast_horizon(21) == 20 and forecast_horizon(4) == 5


def test_a_size_for_an_account_passes_the_account_to_the_signal() -> None:
    q = req("position_size", "MSFT", quantity=Quantity(account_size=50_000.0, currency="USD"))
    assert request_calls(q) == [("signal", {"ticker": "MSFT", "account_size": 50_000.0})]


def test_which_is_riskier_compares_on_risk_and_needs_two_companies() -> None:
    q = req(
        "compare", "IBM", "MSFT", quantity=Quantity(metric="volatility"),
        verdict=Verdict(kind="which", predicate="riskier"),
    )  # fmt: skip
    assert request_calls(q) == [("compare", {"tickers": ["IBM", "MSFT"], "metric": "risk"})]
    assert request_calls(req("compare", "IBM")) is None  # plans from the intents instead


def test_filings_scope_latest_section_and_figures() -> None:
    scope = DocScope(kind="filing", form="10-K", latest=True, section="Item 1", topic="competition")
    assert request_calls(req("filing", "AAPL", scope=scope)) == [
        (
            "search_filings",
            {"k": 5, "ticker": "AAPL", "query": "competition", "section": "Item 1",
             "subsection": "competition", "form": "10-K", "latest": True},
        )
    ]  # fmt: skip
    year = DocScope(kind="filing", fiscal_year=2010, latest=True, topic="risk")
    ((_, args),) = request_calls(req("filing", "AAPL", scope=year)) or []
    assert args["fiscal_year"] == 2010 and "latest" not in args  # a named year wins
    fig = DocScope(kind="filing", figure="net_sales", fiscal_years=(2009, 2010))
    assert request_calls(req("filing_figure", "AAPL", scope=fig)) == [
        ("filing_figure", {"ticker": "AAPL", "figure": "net_sales", "fiscal_years": [2009, 2010]})
    ]


def test_a_declined_request_runs_no_tool_and_no_ask_falls_back_to_intents() -> None:
    assert (
        request_calls(req("var", "IBM", decline=Decline(reason="bad_level", detail="150%"))) == []
    )
    assert request_calls(req(None, "IBM")) is None
    assert request_calls(req("capabilities")) == []


@pytest.mark.parametrize("ask", ["overview", "signal", "regime", "why", "indicator", "price"])
def test_every_company_ask_plans_one_call_set_per_ticker(ask: str) -> None:
    one, two = names(req(ask, "IBM")), names(req(ask, "IBM", "MSFT"))
    assert one and two == one * 2


def test_period_args_keep_only_the_window_given() -> None:
    assert period_args(Period(start=date(2010, 1, 1))) == {"start": "2010-01-01"}
    assert period_args(Period(lookback_days=182, label="six months")) == {"lookback_days": 182}


def test_a_comparison_over_a_named_window_is_each_companys_period_stats() -> None:
    year = Period(start=date(2011, 1, 1), end=date(2011, 12, 31))
    q = req("compare", "AAPL", "IBM", quantity=Quantity(metric="return", period=year))
    assert names(q) == ["period_stats", "period_stats"]
    vol = req("compare", "IBM", "MSFT", quantity=Quantity(metric="volatility", period=year))
    assert names(vol) == ["period_stats", "period_stats"]
    assert names(req("compare", "AAPL", "IBM", quantity=Quantity(metric="return"))) == ["compare"]
    risk = Quantity(metric="risk", period=year)  # a risk ranking stays the comparison's
    assert names(req("compare", "AAPL", "IBM", quantity=risk)) == ["compare"]


def test_var_at_another_level_or_for_an_amount_held_passes_them_to_the_risk_tool() -> None:
    q = req("var", "IBM", quantity=Quantity(level=0.975))
    assert request_calls(q) == [("risk", {"ticker": "IBM", "horizon_days": 1, "level": 0.975})]
    held = Quantity(level=0.99, horizon_days=10, account_size=100_000.0)
    assert request_calls(req("cvar", "MSFT", quantity=held)) == [
        ("risk", {"ticker": "MSFT", "horizon_days": 10, "position_value": 100_000.0})
    ]
