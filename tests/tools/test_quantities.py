"""The asked quantities the signal and risk tools compute: a position in currency for a stated
account size, and VaR/CVaR at the asked horizon (a month = 21 trading days, a week = 5)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from langchain_core.messages import ToolMessage

from data.providers.bundled import BundledProvider
from data.service import MarketData
from tools.context import ToolContext
from tools.registry import TOOLS_BY_NAME
from tools.runtime import ToolInputError, use_context
from tools.signal import signal_evidence

AS_OF = date(2013, 2, 28)


@pytest.fixture(scope="module")
def ctx() -> ToolContext:
    return ToolContext(as_of=AS_OF, market=MarketData([BundledProvider()]))


def call(name: str, args: dict) -> ToolMessage:
    message = TOOLS_BY_NAME[name].invoke(
        {"type": "tool_call", "name": name, "args": args, "id": "1"}
    )
    assert isinstance(message, ToolMessage)
    return message


def test_an_account_size_gives_the_position_in_currency(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("signal", {"ticker": "msft", "account_size": 250_000})
    plain, _ = signal_evidence(ctx, "MSFT")
    values = message.artifact[0]["values"]
    size = plain.values["position_size"]
    assert size < 0  # MSFT is a SELL on 2013-02-28: the amount to reduce
    assert values["account_size"] == 250_000.0
    assert values["position_value"] == round(250_000 * size, 2) != 0
    assert {k: v for k, v in values.items() if k not in {"account_size", "position_value"}} == (
        plain.values
    )
    assert f"= {values['position_value']:+,.2f} of an account of 250,000.00" in message.content


def test_without_an_account_size_the_signal_is_unchanged(ctx: ToolContext) -> None:
    plain, _ = signal_evidence(ctx, "MSFT")
    assert not {"account_size", "position_value"} & set(plain.values)
    assert "account" not in plain.summary


@pytest.mark.parametrize("account_size", [0, -5_000, 2e12])
def test_an_impossible_account_size_is_an_argument_error(
    ctx: ToolContext, account_size: float
) -> None:
    with use_context(ctx):
        message = call("signal", {"ticker": "MSFT", "account_size": account_size})
    assert message.status == "error" and str(message.content).startswith("invalid arguments:")
    assert "account_size" in message.content


@pytest.mark.parametrize("account_size", [math.nan, math.inf, 0.0])
def test_the_evidence_function_checks_the_account_size_too(
    ctx: ToolContext, account_size: float
) -> None:
    with pytest.raises(ToolInputError, match="account_size"):
        signal_evidence(ctx, "MSFT", account_size=account_size)


@pytest.mark.parametrize(("horizon", "horizons"), [(21, {1, 21}), (5, {1, 5}), (1, {1})])
def test_risk_reports_var_and_cvar_at_the_asked_horizon(
    ctx: ToolContext, horizon: int, horizons: set[int]
) -> None:
    with use_context(ctx):
        message = call("risk", {"ticker": "IBM", "horizon_days": horizon})
    rows = message.artifact[0]["values"]["results"]
    assert {r["horizon_days"] for r in rows} == horizons
    at = [r for r in rows if r["horizon_days"] == horizon and r["level"] == 0.95]
    assert {r["method"] for r in at} >= {"historical", "normal", "monte_carlo_bootstrap"}
    for row in at:
        if row["var"] is not None:  # Cornish-Fisher may be outside its domain (then None)
            assert row["cvar"] >= row["var"] > 0


def test_the_21_day_historical_var_and_cvar_match_a_hand_computation(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("risk", {"ticker": "IBM", "horizon_days": 21})
    [row] = [
        r
        for r in message.artifact[0]["values"]["results"]
        if (r["method"], r["level"], r["horizon_days"]) == ("historical", 0.95, 21)
    ]
    daily = ctx.bars("IBM").frame["close"].pct_change().dropna().iloc[-500:].to_numpy()
    monthly = np.array([np.prod(1 + daily[i : i + 21]) - 1 for i in range(len(daily) - 20)])
    cut = np.quantile(monthly, 0.05)
    assert row["var"] == pytest.approx(-cut, rel=1e-9)
    assert row["cvar"] == pytest.approx(-monthly[monthly <= cut].mean(), rel=1e-9)
