"""The technical score: component rules, weights, thresholds, series vs point, timeframes."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
import talib

from quant.indicators import WARMUP, InsufficientDataError
from quant.signals.action import Action, classify
from quant.signals.config import SignalConfig, TechnicalRules, TechnicalWeights
from quant.signals.technical import (
    COMPONENTS,
    bollinger_component,
    combine,
    macd_component,
    moving_average_component,
    required_warmup,
    rsi_component,
    technical_score,
    technical_score_series,
    timeframe_consensus,
    weekly_bars,
    weekly_config,
)
from tests.quant.indicators._bars import arrays, make_bars, real_bars

RULES = TechnicalRules()
CONFIG = SignalConfig()
THRESHOLDS = CONFIG.technical_thresholds


# -- components -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rsi", "expected"),
    [(70.0, 0.0), (30.0, 1.0), (50.0, 0.5), (60.0, 0.25), (85.0, 0.0), (10.0, 1.0), (100.0, 0.0)],
)
def test_rsi_component(rsi: float, expected: float) -> None:
    assert float(rsi_component(rsi, rules=RULES)) == pytest.approx(expected, abs=1e-15)


def test_rsi_component_follows_the_configured_center_and_span() -> None:
    rules = TechnicalRules(rsi_center=80.0, rsi_span=60.0)
    assert float(rsi_component(50.0, rules=rules)) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("macd", "signal", "expected"),
    [(1.0, 0.5, 0.6), (0.5, 1.0, 0.4), (-0.2, -0.3, 0.6), (1, 1, 0.4)],
)
def test_macd_component(macd: float, signal: float, expected: float) -> None:
    assert float(macd_component(macd, signal, rules=RULES)) == expected


@pytest.mark.parametrize(
    ("close", "fast", "slow", "expected"),
    [
        (110.0, 105.0, 100.0, 0.8),  # close > SMA50 > SMA200: all three bullish relations
        (90.0, 95.0, 100.0, 0.2),  # close < SMA50 < SMA200: none
        (103.0, 105.0, 100.0, 0.6),  # pullback in an uptrend: fast > slow, close > slow
        (106.0, 100.0, 105.0, 0.6),  # recovery: close above both, fast still below slow
        (102.0, 100.0, 105.0, 0.4),  # close > fast only
        (99.0, 105.0, 100.0, 0.4),  # fast > slow only
        (105.0, 105.0, 100.0, 0.2 + 0.6 * 2.5 / 3),  # tie close == fast counts half
    ],
)
def test_moving_average_component_grading(
    close: float, fast: float, slow: float, expected: float
) -> None:
    got = float(moving_average_component(close, fast, slow, rules=RULES))
    assert got == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(
    ("close", "expected"), [(89.0, 0.3), (90.0, 0.5), (100.0, 0.5), (110.0, 0.5), (111.0, 0.7)]
)
def test_bollinger_component(close: float, expected: float) -> None:
    assert float(bollinger_component(close, 90.0, 110.0, rules=RULES)) == expected


def test_components_propagate_nan() -> None:
    nan = float("nan")
    assert np.isnan(rsi_component(nan, rules=RULES))
    assert np.isnan(macd_component(nan, 1.0, rules=RULES))
    assert np.isnan(moving_average_component(1.0, nan, 1.0, rules=RULES))
    assert np.isnan(bollinger_component(1.0, 0.5, nan, rules=RULES))


# -- weights and thresholds -------------------------------------------------------------------


def test_combine_with_the_default_weights() -> None:
    parts = {"rsi": 1.0, "macd": 0.6, "moving_averages": 0.8, "bollinger": 0.7}
    assert float(combine(parts, weights=TechnicalWeights())) == 0.78  # .25 + .15 + .24 + .14


def test_weights_are_renormalised_by_their_sum() -> None:
    parts = {"rsi": 0.2, "macd": 0.4, "moving_averages": 0.6, "bollinger": 0.3}
    equal = TechnicalWeights(rsi=1, macd=1, moving_averages=1, bollinger=1)
    assert float(combine(parts, weights=equal)) == pytest.approx(0.375)
    doubled = TechnicalWeights(rsi=0.5, macd=0.5, moving_averages=0.6, bollinger=0.4)
    assert float(combine(parts, weights=doubled)) == float(
        combine(parts, weights=TechnicalWeights())
    )
    only_rsi = TechnicalWeights(rsi=3, macd=0, moving_averages=0, bollinger=0)
    assert float(combine({**parts, "bollinger": float("nan")}, weights=only_rsi)) == 0.2
    with pytest.raises(ValueError, match="sum to zero"):
        combine(parts, weights=TechnicalWeights(rsi=0, macd=0, moving_averages=0, bollinger=0))


@pytest.mark.parametrize(
    ("score", "action"),
    [
        (0.2999999, Action.STRONG_SELL),
        (0.30, Action.SELL),
        (0.3999999, Action.SELL),
        (0.40, Action.HOLD),
        (0.60, Action.HOLD),
        (0.6000001, Action.BUY),
        (0.70, Action.BUY),
        (0.7000001, Action.STRONG_BUY),
    ],
)
def test_threshold_boundaries(score: float, action: Action) -> None:
    assert classify(score, THRESHOLDS) is action


@pytest.mark.parametrize(
    ("parts", "threshold", "action"),
    [
        ((0.16, 0.4, 0.2, 0.5), 0.30, Action.SELL),  # float sum: 0.30000000000000004
        ((0.0, 0.4, 0.8, 0.3), 0.40, Action.HOLD),  # float sum: 0.39999999999999997
        ((0.6, 0.6, 0.8, 0.3), 0.60, Action.HOLD),  # float sum: 0.6000000000000001
        ((0.68, 0.6, 0.8, 0.7), 0.70, Action.BUY),  # float sum: 0.7000000000000001
    ],
)
def test_scores_exactly_on_a_threshold_are_not_moved_by_float_noise(
    parts: tuple[float, ...], threshold: float, action: Action
) -> None:
    score = float(combine(dict(zip(COMPONENTS, parts, strict=True)), weights=TechnicalWeights()))
    assert score == threshold
    assert classify(score, THRESHOLDS) is action


# -- hand-built bars --------------------------------------------------------------------------


def test_a_steady_uptrend_scores_each_component_as_specified() -> None:
    bars = make_bars(100 * 1.002 ** np.arange(400))
    ts = technical_score(bars, as_of=bars.index[-1].date())
    parts = {k: c.score for k, c in ts.components.items()}
    # RSI = 100 -> 0; MACD above its signal; close > SMA50 > SMA200; close inside the bands
    assert parts == {"rsi": 0.0, "macd": 0.6, "moving_averages": 0.8, "bollinger": 0.5}
    assert ts.components["rsi"].inputs["rsi_14"] == pytest.approx(100.0)
    assert ts.score == pytest.approx(0.25 * 0 + 0.25 * 0.6 + 0.30 * 0.8 + 0.20 * 0.5)
    assert ts.action is Action.HOLD


def test_an_accelerating_downtrend_scores_each_component_as_specified() -> None:
    # accelerating, so that MACD falls below its signal (a geometric fall decelerates in $)
    bars = make_bars(100 - 0.0004 * np.arange(400.0) ** 2)
    ts = technical_score(bars, as_of=bars.index[-1].date())
    parts = {k: c.score for k, c in ts.components.items()}
    assert parts == {"rsi": 1.0, "macd": 0.4, "moving_averages": 0.2, "bollinger": 0.5}
    assert ts.score == pytest.approx(0.51)


@pytest.mark.parametrize(("jump", "expected"), [(1.10, 0.7), (0.90, 0.3)])
def test_a_breakout_leaves_the_bollinger_bands(jump: float, expected: float) -> None:
    close = 100 * (1 + 0.005 * np.sin(np.arange(400)))
    close[-1] = close[-2] * jump
    bars = make_bars(close)
    ts = technical_score(bars, as_of=bars.index[-1].date())
    bb = ts.components["bollinger"]
    assert bb.score == expected
    assert (bb.inputs["close"] > bb.inputs["bb_upper"]) == (jump > 1)
    weights = CONFIG.technical_weights
    expected_score = sum(c.score * getattr(weights, k) for k, c in ts.components.items())
    assert ts.score == pytest.approx(expected_score)


def test_other_weights_change_the_score_as_expected() -> None:
    bars = real_bars("IBM")
    as_of = date(2011, 8, 8)
    base = technical_score(bars, as_of=as_of)
    weights = TechnicalWeights(rsi=0.1, macd=0.2, moving_averages=0.3, bollinger=0.4)
    other = technical_score(bars, as_of=as_of, config=SignalConfig(technical_weights=weights))
    parts = {k: c.score for k, c in base.components.items()}
    assert {k: c.score for k, c in other.components.items()} == parts
    expected = sum(getattr(weights, k) * parts[k] for k in COMPONENTS)
    assert other.score == pytest.approx(expected, abs=1e-12)
    assert other.config_fingerprint != base.config_fingerprint
    only_bb = SignalConfig(technical_weights=TechnicalWeights(rsi=0, macd=0, moving_averages=0))
    assert technical_score(bars, as_of=as_of, config=only_bb).score == parts["bollinger"]


def test_component_inputs_are_the_talib_values_at_the_bar() -> None:
    bars = real_bars("AAPL")
    ts = technical_score(bars, as_of=date(2012, 9, 20))
    i = bars.index.get_loc(pd.Timestamp("2012-09-20"))
    _, _, _, c, _ = arrays(bars)
    macd, signal, _ = talib.MACD(c, 12, 26, 9)
    assert ts.components["rsi"].inputs == {"rsi_14": talib.RSI(c, 14)[i]}
    assert ts.components["macd"].inputs == {"macd_12_26": macd[i], "macd_signal_9": signal[i]}
    assert ts.components["moving_averages"].inputs == {
        "close": c[i],
        "sma_50": talib.SMA(c, 50)[i],
        "sma_200": talib.SMA(c, 200)[i],
    }
    assert ts.components["bollinger"].inputs["bb_upper"] == talib.BBANDS(c, 20, 2, 2, 0)[0][i]


# -- series vs point, look-ahead, errors ------------------------------------------------------


@pytest.mark.slow
def test_series_equals_the_point_function_at_every_date() -> None:
    bars = real_bars("AAPL")
    series = technical_score_series(bars)
    assert series.iloc[:WARMUP].isna().all().all()
    assert series.iloc[WARMUP:].notna().all().all()
    assert list(series.columns) == ["score", *COMPONENTS]
    for ts_date, row in series.iloc[WARMUP:].iterrows():
        point = technical_score(bars, as_of=ts_date.date())
        assert point.score == row["score"], ts_date
        assert {k: c.score for k, c in point.components.items()} == row[list(COMPONENTS)].to_dict()


@pytest.mark.parametrize("ticker", ["IBM", "GOOG"])
def test_series_equals_the_point_function_on_sample_dates(ticker: str) -> None:
    bars = real_bars(ticker)
    series = technical_score_series(bars)
    for ts_date in series.dropna().index[::97]:
        point = technical_score(bars, as_of=ts_date.date())
        assert point.score == series.loc[ts_date, "score"]
        assert point.action is classify(series.loc[ts_date, "score"], THRESHOLDS)


def test_series_has_no_look_ahead() -> None:
    bars = real_bars("MSFT")
    full = technical_score_series(bars)
    for cut in ["2001-03-01", "2004-12-31", "2008-10-10", "2013-02-27"]:
        truncated = technical_score_series(bars.loc[:cut])
        pd.testing.assert_frame_equal(truncated, full.loc[:cut], check_exact=True)


def test_point_score_ignores_bars_after_as_of() -> None:
    bars = real_bars("IBM")
    as_of = date(2009, 3, 9)
    assert technical_score(bars, as_of=as_of) == technical_score(
        bars.loc[:"2009-03-09"], as_of=as_of
    )


def test_too_little_history_raises_a_named_error() -> None:
    with pytest.raises(InsufficientDataError, match=r"need at least 251 bars .* only 195"):
        technical_score(real_bars("FB"), as_of=date(2013, 2, 28))


def test_a_warmup_shorter_than_the_lookback_is_refused() -> None:
    assert required_warmup(RULES) == 199  # SMA 200
    with pytest.raises(ValueError, match=r"warmup 100 is shorter .* \(199 bars\)"):
        technical_score_series(real_bars("IBM"), warmup=100)


def test_to_dict_is_json_ready() -> None:
    ts = technical_score(real_bars("IBM"), as_of=date(2012, 9, 14))
    data = json.loads(json.dumps(ts.to_dict()))
    assert data["action"] == ts.action.value and data["score"] == ts.score
    assert set(data["components"]) == set(COMPONENTS)
    assert data["components"]["moving_averages"]["weight"] == 0.3
    assert data["window"]["last"] == "2012-09-14" and data["warmup"] == WARMUP


# -- timeframes -------------------------------------------------------------------------------


def test_weekly_config_expresses_the_moving_averages_in_weeks() -> None:
    rules = weekly_config(CONFIG).technical_rules
    assert (rules.sma_fast, rules.sma_slow) == (10, 40)
    assert (rules.rsi_period, rules.macd_slow, rules.bb_period) == (14, 26, 20)
    assert required_warmup(rules) == 39  # < the 52-week warm-up


@pytest.mark.parametrize("as_of", [date(2003, 6, 30), date(2008, 10, 10), date(2012, 9, 20)])
def test_consensus_combines_daily_and_weekly_scores(as_of: date) -> None:
    bars = real_bars("AAPL")
    consensus = timeframe_consensus(bars, as_of=as_of)
    assert consensus.daily == technical_score(bars, as_of=as_of)
    weekly = technical_score(
        weekly_bars(bars.loc[: pd.Timestamp(as_of)]),
        as_of=as_of,
        config=weekly_config(CONFIG),
        warmup=52,
    )
    assert consensus.weekly == weekly
    assert (consensus.daily.warmup, consensus.weekly.warmup) == (250, 52)
    assert consensus.weekly.bar_date == consensus.daily.bar_date  # the week ends at the last bar
    assert "sma_40" in consensus.weekly.components["moving_averages"].inputs
    direction = consensus.daily.action.direction == consensus.weekly.action.direction
    assert consensus.agree is direction
    assert timeframe_consensus(bars.loc[: pd.Timestamp(as_of)], as_of=as_of) == consensus
    json.dumps(consensus.to_dict())


def test_consensus_agreement_is_by_direction() -> None:
    bars = real_bars("IBM")
    seen = set()
    for as_of in pd.date_range("2002-01-01", "2013-02-28", freq="61D"):
        c = timeframe_consensus(bars, as_of=as_of.date())
        seen.add(c.agree)
        assert c.agree == (c.daily.action.direction == c.weekly.action.direction)
    assert seen == {True, False}


def test_consensus_says_which_timeframe_lacks_history() -> None:
    bars = real_bars("GOOG")  # from 2004-08-19
    as_of = date(2005, 9, 30)
    assert timeframe_consensus(bars, as_of=as_of).weekly.window.bars == 59
    with pytest.raises(InsufficientDataError, match=r"weekly: need at least 61 bars .* only 59"):
        timeframe_consensus(bars, as_of=as_of, weekly_warmup=60)
    with pytest.raises(InsufficientDataError, match=r"daily: need at least 251 bars"):
        timeframe_consensus(bars, as_of=date(2005, 6, 30))
