from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from langchain_core.messages import ToolMessage

from data.providers.bundled import BundledProvider
from data.service import MarketData
from tests.tools._truncated import Truncated
from tools.context import ToolContext
from tools.period import period_evidence, resolve_window
from tools.registry import TOOLS_BY_NAME
from tools.runtime import ToolInputError, use_context

AS_OF = date(2013, 2, 28)
KEYS = {
    "start_date",
    "end_date",
    "start_close",
    "end_close",
    "return",
    "max_drawdown",
    "volatility_annual",
    "high",
    "low",
    "bars",
    "label",
    "base_date",
    "best_month",
    "best_month_return",
    "worst_month",
    "worst_month_return",
    "monthly_returns",
}


@pytest.fixture(scope="module")
def market() -> MarketData:
    return MarketData([BundledProvider()])


@pytest.fixture(scope="module")
def ctx(market: MarketData) -> ToolContext:
    return ToolContext(as_of=AS_OF, market=market)


def call(name: str, args: dict) -> ToolMessage:
    message = TOOLS_BY_NAME[name].invoke(
        {"type": "tool_call", "name": name, "args": args, "id": "1"}
    )
    assert isinstance(message, ToolMessage)
    return message


def test_the_2011_return_is_measured_from_the_2010_year_end_close(ctx: ToolContext) -> None:
    ev = period_evidence(ctx, "ibm", start=date(2011, 1, 1), end=date(2011, 12, 31))
    frame = ctx.bars("IBM").frame
    close, year = frame["close"], frame.loc["2011"]
    v = ev.values
    assert set(v) == KEYS and ev.kind == "period" and ev.tickers == ("IBM",)
    assert (v["start_date"], v["end_date"], v["base_date"]) == (
        "2011-01-03",
        "2011-12-30",
        "2010-12-31",
    )
    assert v["label"] == "2011-01-03..2011-12-30"
    assert v["start_close"] == pytest.approx(close.loc["2010-12-31"])
    assert v["end_close"] == pytest.approx(close.loc["2011-12-30"])
    assert v["return"] == pytest.approx(close.loc["2011-12-30"] / close.loc["2010-12-31"] - 1)
    running_peak = year["close"].cummax()
    assert v["max_drawdown"] == pytest.approx((year["close"] / running_peak - 1).min())
    daily = close.pct_change().loc["2011-01-01":"2011-12-31"]
    assert v["volatility_annual"] == pytest.approx(daily.std(ddof=1) * np.sqrt(252))
    assert v["high"] == pytest.approx(year["high"].max()) and v["low"] == pytest.approx(
        year["low"].min()
    )
    assert v["bars"] == len(year) == ev.window.bars
    assert ev.window.start == date(2011, 1, 3) and ev.window.end == date(2011, 12, 30)
    month_end = close.loc["2010-12-31":"2011-12-31"].groupby(lambda d: (d.year, d.month)).last()
    by_month = (month_end / month_end.shift(1) - 1).iloc[1:]  # each 2011 month from the one before
    assert [m["return"] for m in v["monthly_returns"]] == pytest.approx(list(by_month))
    assert v["monthly_returns"][0]["month"] == "January 2011"
    best = int(np.argmax(by_month.to_numpy()))
    assert v["best_month"] == v["monthly_returns"][best]["month"]
    assert v["best_month_return"] == pytest.approx(by_month.max())
    assert v["worst_month_return"] == pytest.approx(by_month.min())
    assert f"return {v['return']:+.2%}" in ev.summary
    assert "from the 2010-12-31 close" in ev.summary and "max drawdown" in ev.summary


def test_relative_windows_resolve_against_the_as_of_date(ctx: ToolContext) -> None:
    year = period_evidence(ctx, "IBM", lookback_days=365)
    assert year.values["start_date"] == "2012-02-29" and year.values["end_date"] == "2013-02-28"
    assert year.values["base_date"] == "2012-02-28"
    ytd = period_evidence(ctx, "IBM", year_to_date=True, label="2013 year to date")
    assert ytd.values["start_date"] == "2013-01-02" and ytd.values["base_date"] == "2012-12-31"
    assert ytd.values["label"] == "2013 year to date" and "over 2013 year to date" in ytd.summary
    close = ctx.bars("IBM").frame["close"]
    assert ytd.values["return"] == pytest.approx(close.iloc[-1] / close.loc["2012-12-31"] - 1)
    open_ended = period_evidence(ctx, "IBM", start=date(2013, 1, 1), end=date(2020, 1, 1))
    assert open_ended.values == ytd.values | {"label": "2013-01-02..2013-02-28"}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"start": date(2011, 5, 1)}, (date(2011, 5, 1), AS_OF)),
        (
            {"start": date(2011, 5, 1), "end": date(2011, 6, 30)},
            (date(2011, 5, 1), date(2011, 6, 30)),
        ),
        ({"start": date(2011, 5, 1), "end": date(2014, 1, 1)}, (date(2011, 5, 1), AS_OF)),
        ({"lookback_days": 30}, (AS_OF - timedelta(days=30), AS_OF)),
        ({"year_to_date": True}, (date(2013, 1, 1), AS_OF)),
    ],
)
def test_resolve_window(kwargs: dict, expected: tuple[date, date]) -> None:
    assert resolve_window(as_of=AS_OF, **kwargs) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"end": date(2012, 1, 1)},
        {"start": date(2012, 1, 1), "lookback_days": 30},
        {"lookback_days": 30, "year_to_date": True},
        {"lookback_days": 30, "end": date(2012, 1, 1)},
    ],
)
def test_the_window_is_given_exactly_one_way(kwargs: dict) -> None:
    with pytest.raises(ToolInputError, match="exactly one way"):
        resolve_window(as_of=AS_OF, **kwargs)


def test_windows_the_model_can_fix_come_back_as_tool_errors(ctx: ToolContext) -> None:
    with use_context(ctx):
        future = call("period_stats", {"ticker": "IBM", "start": "2014-01-01"})
        before = call("period_stats", {"ticker": "fb", "start": "2010-01-01", "end": "2010-12-31"})
        both = call("period_stats", {"ticker": "IBM", "start": "2012-01-01", "year_to_date": True})
        reversed_ = call(
            "period_stats", {"ticker": "IBM", "start": "2012-06-01", "end": "2012-01-01"}
        )
        zero = call("period_stats", {"ticker": "IBM", "lookback_days": 0})
    for message in (future, before, both, reversed_, zero):
        assert message.status == "error" and "Traceback" not in message.content
        assert not message.artifact
    assert "after the as-of date 2013-02-28" in future.content
    assert "FB" in before.content and "no bars dated 2010-01-01..2010-12-31" in before.content
    assert "exactly one way" in both.content
    assert "swap the dates" in reversed_.content
    assert str(zero.content).startswith("invalid arguments:") and "lookback_days" in zero.content


def test_the_tool_returns_the_period_evidence(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call(
            "period_stats", {"ticker": "msft", "start": "2008-01-01", "end": "2008-12-31"}
        )
    expected = period_evidence(ctx, "MSFT", start=date(2008, 1, 1), end=date(2008, 12, 31))
    assert message.status == "success"
    assert message.artifact == [expected.model_dump(mode="json")]
    assert expected.id in message.content
    assert expected.values["return"] < -0.4 and expected.values["max_drawdown"] < -0.4  # 2008


@pytest.mark.parametrize("as_of", [date(2008, 10, 15), date(2011, 8, 8)])
def test_period_evidence_has_no_look_ahead(market: MarketData, as_of: date) -> None:
    full = ToolContext(as_of=as_of, market=market)
    cut = ToolContext(as_of=as_of, market=MarketData([Truncated(as_of)]))
    for kwargs in ({"lookback_days": 365}, {"year_to_date": True}, {"start": date(2007, 1, 1)}):
        a = period_evidence(full, "AAPL", **kwargs)
        b = period_evidence(cut, "AAPL", **kwargs)
        assert a.values == b.values and a.id == b.id
        assert a.values["end_date"] <= as_of.isoformat()
