"""The technical score of many tickers at once equals ``technical_score`` ticker by ticker."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from quant.indicators import InsufficientDataError, InvalidBarsError
from quant.signals.batch import technical_inputs, technical_scores
from quant.signals.config import SignalConfig, TechnicalRules, TechnicalWeights
from quant.signals.technical import technical_score
from tests.quant.indicators._bars import make_bars, real_bars

REAL = ("AAPL", "GOOG", "IBM", "MSFT", "^GSPC")
DATES = (date(2006, 6, 30), date(2008, 10, 15), date(2011, 8, 8), date(2013, 2, 28))


def synthetic(n: int, *, seed: int) -> dict[str, pd.DataFrame]:
    """``n`` random-walk tickers of different lengths and start dates (seeded)."""
    rng = np.random.default_rng(seed)
    out = {}
    for i in range(n):
        days = int(rng.integers(260, 1500))
        close = rng.uniform(5, 500) * np.exp(np.cumsum(rng.normal(0.0003, 0.02, days)))
        start = pd.Timestamp("2004-01-05") + pd.offsets.BDay(int(rng.integers(0, 400)))
        out[f"S{i:02d}"] = make_bars(close, spread=float(rng.uniform(0.002, 0.03)), start=start)
    return out


def batch(bars: dict[str, pd.DataFrame], as_of: date, config: SignalConfig = SignalConfig()):
    return technical_scores(
        [technical_inputs(f, as_of=as_of, config=config) for f in bars.values()], config=config
    )


@pytest.mark.parametrize("as_of", DATES)
def test_real_tickers_equal_the_one_ticker_score(as_of: date) -> None:
    bars = {t: real_bars(t) for t in REAL}
    got = batch(bars, as_of)
    assert got == [technical_score(f, as_of=as_of) for f in bars.values()]
    assert all(s.bar_date <= as_of for s in got)


@pytest.mark.parametrize("seed", [1, 2])
def test_synthetic_tickers_equal_the_one_ticker_score(seed: int) -> None:
    bars = synthetic(40, seed=seed)
    as_of = date(2009, 6, 30)
    usable = {t: f for t, f in bars.items() if len(f.loc[:"2009-06-30"]) > 250}
    assert len(usable) > 20
    got = batch(usable, as_of)
    want = [technical_score(f, as_of=as_of) for f in usable.values()]
    assert got == want
    assert len({s.score for s in got}) > len(got) // 2  # tickers that differ
    assert len({s.bar_date for s in got}) > 1  # some series end before the as-of date


def test_a_configured_rule_set_is_followed_exactly() -> None:
    config = SignalConfig(
        technical_rules=TechnicalRules(rsi_period=10, sma_fast=20, sma_slow=100, bb_stdev=1.5),
        technical_weights=TechnicalWeights(rsi=0.1, macd=0.0, moving_averages=0.5, bollinger=0.4),
    )
    bars = {t: real_bars(t) for t in REAL}
    as_of = date(2012, 5, 31)
    assert batch(bars, as_of, config) == [
        technical_score(f, as_of=as_of, config=config) for f in bars.values()
    ]


@pytest.mark.parametrize("as_of", DATES[1:])
def test_no_look_ahead(as_of: date) -> None:
    """At an earlier date, the scores equal those computed on bars that end at that date."""
    full = {t: real_bars(t) for t in REAL}
    cut = {t: f.loc[: pd.Timestamp(as_of)] for t, f in full.items()}
    assert batch(full, as_of) == batch(cut, as_of)


def test_inputs_fail_as_the_one_ticker_score_does() -> None:
    fb = real_bars("FB")
    as_of = date(2013, 2, 28)
    with pytest.raises(InsufficientDataError) as one:
        technical_score(fb, as_of=as_of)
    with pytest.raises(InsufficientDataError) as many:
        technical_inputs(fb, as_of=as_of)
    assert str(many.value) == str(one.value) and "only 195 are available" in str(one.value)
    broken = real_bars("IBM")
    broken.iloc[-1, broken.columns.get_loc("close")] = -1.0
    with pytest.raises(InvalidBarsError):
        technical_inputs(broken, as_of=as_of)
    with pytest.raises(ValueError, match="warmup 10 is shorter"):
        technical_inputs(real_bars("IBM"), as_of=as_of, warmup=10)


def test_inputs_checked_with_a_shorter_warmup_are_refused_by_a_longer_rule_set() -> None:
    short = SignalConfig(technical_rules=TechnicalRules(sma_slow=60))
    item = technical_inputs(real_bars("IBM"), as_of=date(2013, 2, 28), config=short, warmup=60)
    assert technical_scores([item], config=short)[0].warmup == 60
    with pytest.raises(ValueError, match="warmup 60 is shorter"):
        technical_scores([item])


def test_no_tickers_no_scores() -> None:
    assert technical_scores([]) == []
