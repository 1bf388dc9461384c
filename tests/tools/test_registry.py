from __future__ import annotations

from datetime import date

import pytest
from langchain_core.messages import ToolMessage

from data.providers.bundled import BundledProvider
from data.service import MarketData
from tools.context import ToolContext
from tools.registry import TOOLS, TOOLS_BY_NAME
from tools.risk import risk_evidence
from tools.runtime import current_context, use_context
from tools.signal import signal_evidence
from tools.technicals import technicals_evidence

AS_OF = date(2013, 2, 28)
EXPECTED = {
    "market_snapshot",
    "period_stats",
    "technicals",
    "signal",
    "model_forecast",
    "backtest",
    "risk",
    "sentiment",
    "search_filings",
    "filing_figure",
    "search_calls",
    "news",
    "compare",
    "track_record",
}


@pytest.fixture(scope="module")
def ctx() -> ToolContext:
    return ToolContext(as_of=AS_OF, market=MarketData([BundledProvider()]))


def call(name: str, args: dict, call_id: str = "1") -> ToolMessage:
    message = TOOLS_BY_NAME[name].invoke(
        {"type": "tool_call", "name": name, "args": args, "id": call_id}
    )
    assert isinstance(message, ToolMessage)
    assert message.tool_call_id == call_id
    return message


def test_every_tool_has_a_name_a_description_and_no_injected_fields() -> None:
    assert {t.name for t in TOOLS} == EXPECTED == set(TOOLS_BY_NAME)
    for t in TOOLS:
        assert len(t.description) > 40, t.name
        assert t.response_format == "content_and_artifact"
        fields = set(t.tool_call_schema.model_json_schema()["properties"])
        assert fields, t.name
        assert not fields & {"as_of", "ctx", "context", "date"}, t.name
        # a window is the model's to choose only where the question names one (end is clipped
        # to the as-of date); no other tool takes one
        assert not fields & {"start", "end"} or t.name == "period_stats", t.name


def test_signal_returns_the_signal_evidence_as_artifact(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("signal", {"ticker": "msft"})
    expected, supporting = signal_evidence(ctx, "MSFT")
    assert message.status == "success"
    assert message.artifact == [expected.model_dump(mode="json")] + [
        e.model_dump(mode="json") for e in supporting
    ]
    assert message.artifact[0]["values"]["action"] == "SELL"
    assert expected.id in message.content


def test_unknown_ticker_is_an_error_message_for_the_model(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("signal", {"ticker": "zzzz"})
    assert message.status == "error"
    assert "ZZZZ" in message.content
    assert "Traceback" not in message.content
    assert not message.artifact


def test_bad_arguments_fail_validation_into_an_error_message(ctx: ToolContext) -> None:
    with use_context(ctx):
        horizon = call("model_forecast", {"ticker": "MSFT", "horizon": 7})
        same = call("compare", {"tickers": ["aapl", "AAPL"], "metric": "risk"})
        long_risk = call("risk", {"ticker": "MSFT", "horizon_days": 500})
    for message in (horizon, same, long_risk):
        assert message.status == "error"
        assert message.content.startswith("invalid arguments:")
    assert "horizon" in horizon.content and "1, 5 or 20" in horizon.content
    assert "distinct" in same.content
    assert "horizon_days" in long_risk.content


def test_no_active_context_is_a_clear_runtime_error() -> None:
    with pytest.raises(RuntimeError, match="use_context"):
        current_context()
    with pytest.raises(RuntimeError, match="no active tool run"):
        call("market_snapshot", {"ticker": "MSFT"})


def test_context_is_reset_after_the_run(ctx: ToolContext) -> None:
    with use_context(ctx) as active:
        assert current_context() is active is ctx
    with pytest.raises(RuntimeError):
        current_context()


def test_forecast_without_models_tells_how_to_train(ctx: ToolContext) -> None:
    assert ctx.models_dir is None
    with use_context(ctx):
        message = call("model_forecast", {"ticker": "msft", "horizon": 20})
    assert message.status == "error"
    assert "signaldesk train MSFT --end 2013-02-28 --horizons 20" in message.content


def test_a_walk_forward_without_enough_history_is_an_error_message(ctx: ToolContext) -> None:
    with use_context(ctx):  # FB's bundled history starts 2012-05-18: no 12-month train window
        message = call("backtest", {"ticker": "fb", "strategy": "ml"})
    assert message.status == "error"
    assert "walk-forward folds" in message.content and "months of history" in message.content
    assert "Traceback" not in message.content


def test_search_without_an_index_is_an_error_message(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("search_filings", {"query": "gross margin", "ticker": "ibm"})
    assert message.status == "error"
    assert "ingest documents" in message.content


def test_market_snapshot_matches_hand_computation(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("market_snapshot", {"ticker": " msft "})
    [evidence] = message.artifact
    frame = ctx.bars("MSFT").frame
    close = frame["close"]
    v = evidence["values"]
    assert evidence["kind"] == "market" and evidence["tickers"] == ["MSFT"]
    assert v["bar_date"] == "2013-02-28"
    assert round(v["close"], 2) == 27.80
    assert v["return_20d"] == pytest.approx(close.iloc[-1] / close.iloc[-21] - 1)
    assert v["return_1d"] == pytest.approx(27.80 / 27.81 - 1)
    assert v["high_52w"] == pytest.approx(frame["high"].iloc[-252:].max())
    assert v["low_52w"] == pytest.approx(frame["low"].iloc[-252:].min())
    assert "close 27.80" in message.content


def test_compare_momentum_equals_the_underlying_evidence(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("compare", {"tickers": ["AAPL", "goog"], "metric": "momentum"})
        snapshots = {
            t: call("market_snapshot", {"ticker": t}).artifact[0] for t in ("AAPL", "GOOG")
        }
    comparison = message.artifact[0]
    assert comparison["kind"] == "comparison" and comparison["tickers"] == ["AAPL", "GOOG"]
    rows = comparison["values"]["by_ticker"]
    for ticker in ("AAPL", "GOOG"):
        market = snapshots[ticker]["values"]
        rsi = technicals_evidence(ctx, ticker).values["indicators"]["rsi_14"]
        assert rows[ticker] == {
            "return_20d": market["return_20d"],
            "return_60d": market["return_60d"],
            "return_250d": market["return_250d"],
            "rsi_14": rsi,
        }
    cited = {e["id"] for e in message.artifact[1:]}
    assert set(comparison["source"]["evidence"]) == cited


def test_compare_risk_equals_the_risk_evidence(ctx: ToolContext) -> None:
    with use_context(ctx):
        message = call("compare", {"tickers": ["IBM", "MSFT"], "metric": "risk"})
    rows = message.artifact[0]["values"]["by_ticker"]
    for ticker in ("IBM", "MSFT"):
        ev = risk_evidence(ctx, ticker, horizons=(1,))
        [var95] = [
            r["var"]
            for r in ev.values["results"]
            if (r["method"], r["level"], r["horizon_days"]) == ("historical", 0.95, 1)
        ]
        assert rows[ticker]["var_95_1d"] == pytest.approx(var95)
        assert rows[ticker]["volatility_annual"] == pytest.approx(ev.values["volatility_annual"])
        assert rows[ticker]["var_99_1d"] > var95 > 0
