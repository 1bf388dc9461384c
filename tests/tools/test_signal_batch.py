"""Signals of many tickers at once equal the one-ticker ``signal`` evidence, ticker by ticker."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tools.signal as signal_module
from data.bars import to_raw_frame
from data.errors import ProviderError, UnknownTickerError
from data.providers.base import RawBars
from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.features import build_features
from quant.signals.confluence import Part
from tests.tools._truncated import Truncated
from tools.context import ToolContext
from tools.evidence import Evidence
from tools.runtime import ToolInputError
from tools.signal import _volatility, signal_evidence
from tools.signal_batch import (
    SignalFailure,
    SignalOutcome,
    SignalResult,
    _volatilities,
    signals,
)

BUNDLED = ["AAPL", "GOOG", "IBM", "MSFT", "FB", "^GSPC", "NOPE", "msft"]
DATES = [date(2008, 10, 15), date(2011, 8, 8), date(2012, 9, 19), date(2013, 2, 28)]
END = date(2013, 3, 1)


class Synthetic:
    """Tickers ZZAA, ZZAB, ... made from the bundled series as ``benchmarks.briefing`` makes
    its fixture: rescaled and perturbed by seeded noise; every third one starts late (too little
    history at early dates)."""

    name = "synthetic"
    online = False

    def __init__(self, n: int, *, seed: int = 11) -> None:
        rng = np.random.default_rng(seed)
        bundled = BundledProvider()
        sources = [bundled.fetch(t, start=None, end=END).frame for t in BUNDLED[:4]]
        self.frames: dict[str, pd.DataFrame] = {}
        for i in range(n):
            base = sources[i % 4].loc[: pd.Timestamp(END)].copy()
            if i % 3 == 2:
                base = base.iloc[int(rng.integers(len(base) - 1200, len(base) - 100)) :]
            noise = np.exp(np.cumsum(rng.normal(0, 0.004, len(base)))) * rng.uniform(0.2, 3.0)
            for col in ("open", "high", "low", "close", "adj_close"):
                base[col] = base[col] * noise
            base["high"] = base[["open", "high", "low", "close"]].max(axis=1)
            base["low"] = base[["open", "high", "low", "close"]].min(axis=1)
            self.frames["ZZ" + chr(65 + i // 26) + chr(65 + i % 26)] = to_raw_frame(base)

    def tickers(self) -> list[str]:
        return list(self.frames)

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        if ticker not in self.frames:
            raise UnknownTickerError(ticker, providers=[self.name])
        return RawBars(frame=self.frames[ticker], source="seeded noise", basis="synthetic")


class FailingFor(BundledProvider):
    """The bundled data, except that fetching ``bad`` fails (a corrupt file)."""

    def __init__(self, bad: str) -> None:
        super().__init__()
        self.bad = bad

    def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
        if ticker == self.bad:
            raise ProviderError(self.name, "feed returned a malformed file", transient=False)
        return super().fetch(ticker, start=start, end=end)


@pytest.fixture(scope="module")
def market() -> MarketData:
    return MarketData([BundledProvider()])


@pytest.fixture(scope="module")
def synthetic() -> MarketData:
    return MarketData([Synthetic(30)])


def one_by_one(ctx: ToolContext, tickers: list[str], **kwargs: Any) -> list[tuple[Any, ...]]:
    """What ``signal_evidence`` returns or raises for each ticker."""
    out: list[tuple[Any, ...]] = []
    for ticker in tickers:
        try:
            evidence, supporting = signal_evidence(ctx, ticker, **kwargs)
        except Exception as err:  # noqa: BLE001 - the error is what is compared
            out.append(("failed", type(err), str(err)))
        else:
            out.append(("ok", evidence, supporting))
    return out


def flat(results: list[SignalOutcome]) -> list[tuple[Any, ...]]:
    return [
        ("ok", r.evidence, list(r.supporting))
        if isinstance(r, SignalResult)
        else ("failed", type(r.error), str(r.error))
        for r in results
    ]


@pytest.mark.parametrize("as_of", DATES)
def test_bundled_tickers_equal_the_one_ticker_signal(market: MarketData, as_of: date) -> None:
    ctx = ToolContext(as_of=as_of, market=market)
    got = signals(ctx, BUNDLED)
    assert [r.ticker for r in got] == BUNDLED
    assert flat(got) == one_by_one(ctx, BUNDLED)
    fb, nope = got[4], got[6]
    assert isinstance(fb, SignalFailure) and fb.fixable  # too little history, or none yet
    assert isinstance(nope, SignalFailure) and isinstance(nope.error, UnknownTickerError)
    assert all(isinstance(r, SignalResult) for r in got[:4])


@pytest.mark.parametrize("as_of", [date(2009, 3, 9), date(2013, 2, 28)])
def test_synthetic_tickers_equal_the_one_ticker_signal(synthetic: MarketData, as_of: date) -> None:
    ctx = ToolContext(as_of=as_of, market=synthetic)
    names = Synthetic(30).tickers()
    got = signals(ctx, names)
    assert flat(got) == one_by_one(ctx, names)
    ok = [r for r in got if isinstance(r, SignalResult)]
    assert 10 < len(ok) < len(names)  # some start too late for a signal
    assert len({r.evidence.values["action"] for r in ok}) >= 2
    assert any(r.evidence.values["sizing_notes"][0].startswith("scaled") for r in ok)


def test_ml_and_sentiment_parts_are_the_one_ticker_ones(
    market: MarketData, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forecast(ctx: ToolContext, ticker: str) -> Evidence:
        prob = {"AAPL": 0.71, "IBM": 0.35, "GOOG": 0.9}.get(ticker, 0.5)
        return Evidence.make(
            kind="forecast",
            tickers=[ticker],
            as_of=ctx.as_of,
            values={
                "prob_up": prob,
                "verdict": "NO-GO" if ticker == "MSFT" else "GO",
                "leak_suspected": ticker == "GOOG",
                "horizon_days": 5,
                "reasons": ["a record"],
            },
        )

    def sentiment(ticker: str, as_of: date) -> Part | None:
        if ticker == "IBM":
            return None
        return Part(0.2 + 0.1 * len(ticker), details={"items": len(ticker), "as_of": as_of})

    monkeypatch.setattr(signal_module, "forecast_evidence", forecast)
    ctx = ToolContext(as_of=date(2013, 2, 28), market=market, sentiment=sentiment)
    got = signals(ctx, BUNDLED, account_size=250_000)
    assert flat(got) == one_by_one(ctx, BUNDLED, account_size=250_000)
    values = {r.ticker: r.evidence.values for r in got if isinstance(r, SignalResult)}
    assert values["AAPL"]["weights"]["ml"] > 0 and values["AAPL"]["weights"]["sentiment"] > 0
    assert "NO-GO" in values["MSFT"]["components"]["ml"]["reason"]
    assert "leak" in values["GOOG"]["components"]["ml"]["reason"]
    assert values["IBM"]["weights"]["sentiment"] == 0.0
    assert all(len(r.supporting) == 1 for r in got if isinstance(r, SignalResult))
    assert all("position_value" in v for v in values.values())


@pytest.mark.parametrize("as_of", [date(2008, 10, 15), date(2011, 8, 8), date(2012, 9, 19)])
def test_no_look_ahead(market: MarketData, as_of: date) -> None:
    """At an earlier date, every ticker's signal equals the one computed on data that end
    on that date (ids included); a ticker without one fails the same way (the data layer's
    message may say when a source's data start, which it knows either way)."""
    full = flat(signals(ToolContext(as_of=as_of, market=market), BUNDLED))
    cut = flat(signals(ToolContext(as_of=as_of, market=MarketData([Truncated(as_of)])), BUNDLED))
    assert [r[:2] for r in full] == [r[:2] for r in cut]
    assert [r for r in full if r[0] == "ok"] == [r for r in cut if r[0] == "ok"]
    assert sum(r[0] == "ok" for r in full) == 6  # all but FB and NOPE


def test_a_faulty_source_fails_its_ticker_only(market: MarketData) -> None:
    ctx = ToolContext(as_of=date(2013, 2, 28), market=MarketData([FailingFor("IBM")]))
    got = signals(ctx, ["AAPL", "IBM", "MSFT"])
    ibm = got[1]
    assert isinstance(ibm, SignalFailure) and not ibm.fixable
    assert ibm.message.startswith("no usable data for IBM: bundled: feed returned")
    assert ibm.to_dict() == {
        "ticker": "IBM",
        "status": "failed",
        "error": ibm.message,
        "error_type": "UnusableDataError",
        "fixable": False,
    }
    reference = signals(ToolContext(as_of=date(2013, 2, 28), market=market), ["AAPL", "MSFT"])
    assert flat([got[0], got[2]]) == flat(reference)


def test_order_duplicates_and_serialisation(market: MarketData) -> None:
    ctx = ToolContext(as_of=date(2013, 2, 28), market=market)
    got = signals(ctx, ["MSFT", "FB", "MSFT", "AAPL"])
    assert [r.ticker for r in got] == ["MSFT", "FB", "MSFT", "AAPL"]
    assert got[0] is got[2]
    ok = got[0].to_dict()
    assert ok["status"] == "ok" and ok["evidence"]["values"]["action"] == "SELL"
    assert ok["supporting"] == [] and ok["evidence"]["tickers"] == ["MSFT"]
    fb = got[1].to_dict()
    assert fb["status"] == "failed" and fb["fixable"] is True
    assert fb["error"].endswith("but only 195 are available")
    assert signals(ctx, []) == []


@pytest.mark.parametrize("account", [0.0, -5.0, math.inf, 1e13])
def test_an_unusable_account_size_fails_the_call(market: MarketData, account: float) -> None:
    with pytest.raises(ToolInputError, match="account_size"):
        signals(ToolContext(as_of=date(2013, 2, 28), market=market), ["MSFT"], account_size=account)


def test_volatilities_equal_the_one_series_volatility() -> None:
    rng = np.random.default_rng(5)
    closes = [
        pd.Series(np.exp(np.cumsum(rng.normal(0, rng.uniform(0.005, 0.05), n))) * 30)
        for n in rng.integers(2, 600, size=200)
    ]
    got = _volatilities(closes)
    np.testing.assert_array_equal(got, [_volatility(c) for c in closes])  # NaN == NaN here
    assert sum(math.isnan(v) for v in got) >= 1  # some series have one return only
    assert _volatilities([]) == []


@pytest.mark.slow
def test_trained_models_share_one_feature_panel(
    market: MarketData, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tools.forecast as forecast_module

    trained = ToolContext(as_of=date(2012, 12, 31), market=market, models_dir=tmp_path)
    for ticker in ("AAPL", "IBM"):
        forecast_module.train(
            trained, ticker, horizons=(5,), kind="xgb", created_at=datetime(2013, 1, 1, tzinfo=UTC)
        )
    ctx = ToolContext(as_of=date(2013, 2, 28), market=market, models_dir=tmp_path)
    built: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> pd.DataFrame:
        built.append(1)
        return build_features(*args, **kwargs)

    monkeypatch.setattr(forecast_module, "build_features", counted)
    want = one_by_one(ctx, BUNDLED)
    assert len(built) == 2  # AAPL and IBM (the tickers with a model) each build the panel
    built.clear()
    got = signals(ctx, BUNDLED)
    assert flat(got) == want and len(built) == 1
    aapl = got[0]
    assert isinstance(aapl, SignalResult) and aapl.supporting[0].kind == "forecast"
    assert "evidence" in aapl.evidence.values["components"]["ml"]["details"]
