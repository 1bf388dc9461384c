"""Market regime: labels on hand-built series, series == point function, point in time."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.regime import (
    InsufficientHistoryError,
    market_regime,
    regime_labels,
    regime_measures,
    regime_series,
)


def series(log_steps: np.ndarray, start: str = "2015-01-01") -> pd.Series:
    index = pd.bdate_range(start, periods=len(log_steps), name="date")
    return pd.Series(100.0 * np.exp(np.cumsum(log_steps)), index=index, name="close")


def noise(n: int, *, seed: int, scale: float) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, scale, n)


def trending(drift: float, *, seed: int = 1) -> pd.Series:
    """400 bars of steady drift whose last 40 bars are calmer than the rest."""
    steps = drift + noise(400, seed=seed, scale=0.01)
    steps[-40:] = drift + noise(40, seed=seed + 1, scale=0.004)
    return series(steps)


def last(close: pd.Series, **kwargs: float):
    return market_regime(close, as_of=close.index[-1].date(), **kwargs)


def test_a_rising_series_is_bull() -> None:
    r = last(trending(0.002))
    assert r.label == "bull"
    assert r.close > r.sma_long and r.slope_short > 0 and r.volatility_percentile < 0.9


def test_a_falling_series_is_bear() -> None:
    r = last(trending(-0.002))
    assert r.label == "bear"
    assert r.close < r.sma_long and r.slope_short < 0


def test_a_flat_series_is_choppy() -> None:
    flat = series(np.zeros(300))
    assert last(flat).label == "choppy"  # close == SMA200, slope 0
    # sideways noise around a fixed level: choppy at every date once SMA50 barely moves
    sideways = pd.Series(
        100.0 * np.exp(noise(400, seed=3, scale=0.01)),
        index=pd.bdate_range("2015-01-01", periods=400),
    )
    labels = regime_series(sideways, min_slope=0.01).dropna()
    assert len(labels) == 201 and (labels == "choppy").all()  # bars 199..399


def test_an_uptrend_in_extreme_volatility_is_choppy() -> None:
    steps = 0.002 + noise(400, seed=4, scale=0.008)
    steps[-20:] = 0.002 + 0.04 * (-1.0) ** np.arange(20)  # +-4% swings, trend intact
    r = last(series(steps))
    assert r.close > r.sma_long and r.slope_short > 0
    assert r.volatility_percentile == 1.0  # the highest volatility so far
    assert r.label == "choppy"
    assert last(series(steps), extreme_vol_percentile=1.01).label == "bull"  # threshold is a knob


def test_a_crash_below_the_long_average_while_the_short_one_still_rises_is_choppy() -> None:
    steps = 0.003 + noise(400, seed=5, scale=0.008)
    steps[-4:] = -0.08
    r = last(series(steps))
    assert r.close < r.sma_long and r.slope_short > 0
    assert r.label == "choppy"


def test_measures_match_an_independent_computation() -> None:
    close = trending(0.001, seed=7)
    t = 350
    values = close.to_numpy()
    r = market_regime(close, as_of=close.index[t].date())
    assert r.bar_date == close.index[t].date()
    assert r.sma_long == pytest.approx(values[t - 199 : t + 1].mean(), rel=1e-12)
    sma50 = values[t - 49 : t + 1].mean()
    assert r.sma_short == pytest.approx(sma50, rel=1e-12)
    assert r.slope_short == pytest.approx(sma50 / values[t - 69 : t - 19].mean() - 1, rel=1e-9)
    log_ret = np.diff(np.log(values))
    vols = [np.std(log_ret[k - 20 : k], ddof=1) * math.sqrt(252) for k in range(20, t + 1)]
    assert r.volatility == pytest.approx(vols[-1], rel=1e-9)
    assert r.volatility_percentile == pytest.approx(np.mean(np.array(vols) <= vols[-1]))
    assert r.distance_long == pytest.approx(values[t] / r.sma_long - 1)


def test_the_series_equals_the_point_function_at_every_date() -> None:
    steps = np.concatenate([
        0.002 + noise(300, seed=8, scale=0.01),
        -0.003 + noise(200, seed=9, scale=0.015),
        noise(150, seed=10, scale=0.01),
    ])  # fmt: skip
    close = series(steps)
    labels = regime_series(close)
    assert set(labels.dropna().unique()) == {"bull", "bear", "choppy"}
    for day, label in labels.items():
        if pd.isna(label):
            with pytest.raises(InsufficientHistoryError):
                market_regime(close, as_of=day.date())
        else:
            assert market_regime(close, as_of=day.date()).label == label


@pytest.fixture(scope="module")
def spx() -> pd.Series:
    md = MarketData([BundledProvider()])
    return md.bars("^GSPC", start=None, end=date(2013, 2, 28)).frame["close"]


def test_real_index_series_point_function_and_known_regimes(spx: pd.Series) -> None:
    labels = regime_series(spx)
    for day in spx.index[199::23]:
        assert market_regime(spx, as_of=day.date()).label == labels.loc[day]
    assert market_regime(spx, as_of=date(2008, 11, 20)).label == "bear"  # the 2008 crash
    assert market_regime(spx, as_of=date(2013, 2, 28)).label == "bull"
    saturday = market_regime(spx, as_of=date(2013, 2, 23))
    assert saturday.bar_date == date(2013, 2, 22) and saturday.as_of == date(2013, 2, 23)


def test_point_in_time(spx: pd.Series) -> None:
    full = regime_measures(spx)
    for k in (199, 250, 2000, 3300):
        part = regime_measures(spx.iloc[: k + 1])
        pd.testing.assert_frame_equal(part, full.iloc[: k + 1], check_exact=False, rtol=1e-12)
    # later bars, even absurd ones, change nothing on or before as_of
    as_of = date(2010, 6, 30)
    spoiled = spx.copy()
    spoiled[spoiled.index > pd.Timestamp(as_of)] = 1e9
    assert market_regime(spoiled, as_of=as_of) == market_regime(spx, as_of=as_of)


def test_unusable_closes_are_skipped() -> None:
    close = trending(0.002)
    gappy = close.copy()
    gappy.iloc[-2] = np.nan
    labels = regime_series(gappy)
    assert pd.isna(labels.iloc[-2]) and labels.iloc[-1] == "bull"
    r = market_regime(gappy, as_of=gappy.index[-2].date())
    assert r.bar_date == gappy.index[-3].date()
    assert r.sma_long == pytest.approx(close.iloc[-202:-2].mean())


def test_errors_and_serialisation() -> None:
    close = trending(0.002)
    with pytest.raises(InsufficientHistoryError, match="199 usable closes"):
        market_regime(close, as_of=close.index[198].date())
    with pytest.raises(InsufficientHistoryError):
        market_regime(close, as_of=date(2000, 1, 1))
    with pytest.raises(ValueError, match="sorted"):
        market_regime(close.iloc[::-1], as_of=close.index[-1].date())
    with pytest.raises(ValueError, match="windows"):
        regime_series(close, vol_window=1)
    r = last(close)
    payload = json.loads(json.dumps(r.to_dict()))
    assert payload["label"] == "bull" and payload["as_of"] == close.index[-1].date().isoformat()
    assert set(payload) == {
        "label", "as_of", "bar_date", "close", "sma_short", "sma_long", "distance_long",
        "slope_short", "volatility", "volatility_percentile",
    }  # fmt: skip


# -- many series at once ---------------------------------------------------------------------


def _label_or_none(close: pd.Series, as_of: date, **kwargs: float) -> str | None:
    try:
        return market_regime(close, as_of=as_of, **kwargs).label
    except InsufficientHistoryError:
        return None


def test_labels_of_many_series_equal_the_point_function(spx: pd.Series) -> None:
    md = MarketData([BundledProvider()])
    closes = [spx] + [
        md.bars(t, start=None, end=date(2013, 2, 28)).frame["close"]
        for t in ("AAPL", "GOOG", "IBM", "MSFT", "FB")
    ]
    steps = np.concatenate([
        0.002 + noise(300, seed=8, scale=0.01),
        -0.003 + noise(200, seed=9, scale=0.015),
    ])  # fmt: skip
    gappy = series(steps, start="2009-01-01")
    gappy.iloc[[50, 260, 261]] = [np.nan, -1.0, 0.0]  # unusable closes are skipped
    closes += [gappy, trending(-0.002), series(np.zeros(300), start="2010-06-01"), spx.iloc[:0]]
    days = pd.bdate_range("2005-01-03", "2013-03-04", freq="29B")
    seen = set()
    for day in days:
        got = regime_labels(closes, as_of=day.date())
        assert got == [_label_or_none(c, day.date()) for c in closes]
        seen |= set(got)
    assert seen == {"bull", "bear", "choppy", None}
    knobs = {"extreme_vol_percentile": 0.5, "min_slope": 0.01, "short_window": 20}
    assert regime_labels(closes, as_of=date(2012, 9, 19), **knobs) == [
        _label_or_none(c, date(2012, 9, 19), **knobs) for c in closes
    ]


def test_labels_of_many_series_have_no_look_ahead(spx: pd.Series) -> None:
    closes = [spx, trending(0.002), trending(-0.002, seed=3)]
    for as_of in (date(2008, 11, 20), date(2010, 6, 30), date(2015, 12, 1)):
        cut = [c.loc[: pd.Timestamp(as_of)] for c in closes]
        assert regime_labels(closes, as_of=as_of) == regime_labels(cut, as_of=as_of)


def test_labels_of_no_series_and_unsorted_series() -> None:
    assert regime_labels([], as_of=date(2013, 2, 28)) == []
    with pytest.raises(ValueError, match="sorted oldest first"):
        regime_labels([trending(0.002).iloc[::-1]], as_of=date(2016, 1, 1))
