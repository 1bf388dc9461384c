"""Feature values against independent, textbook computations on hand-built frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import talib

from quant.features import build_features

TRADING_DAYS = 252


def make_bars(n: int, *, seed: int, start: str = "2010-01-04") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    close = 50.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.015, n)))
    open_ = close * np.exp(rng.normal(0, 0.005, n))
    high = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, 0.006, n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    volume = rng.integers(100_000, 1_000_000, n).astype("float64")
    index = pd.bdate_range(start, periods=n, name="date")
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": volume}, index=index
    )


@pytest.fixture(scope="module")
def case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Ticker X (300 bars), a benchmark correlated with it, and X's feature rows."""
    x = make_bars(300, seed=11)
    bench = make_bars(300, seed=12)
    # make X move with the benchmark so that beta and correlation are far from zero
    mixed = bench["close"].pct_change().fillna(0) * 1.3 + x["close"].pct_change().fillna(0) * 0.5
    scale = (1 + mixed).cumprod() * 40.0 / x["close"]
    x = x.assign(**{c: x[c] * scale for c in ("open", "high", "low", "close")})
    panel = build_features({"X": x}, benchmark=bench)
    return x, bench, panel.xs("X", level="ticker")


@pytest.mark.parametrize("t", [150, 299])
@pytest.mark.parametrize("n", [20, 60])
def test_parkinson_and_garman_klass_match_the_textbook(case, t: int, n: int) -> None:
    x, _, feats = case
    window = x.iloc[t - n + 1 : t + 1]
    pk_sum = gk_sum = 0.0
    for _, bar in window.iterrows():
        hl = math.log(bar["high"] / bar["low"])
        co = math.log(bar["close"] / bar["open"])
        pk_sum += hl * hl
        gk_sum += 0.5 * hl * hl - (2 * math.log(2) - 1) * co * co
    parkinson = math.sqrt(TRADING_DAYS * pk_sum / (4 * n * math.log(2)))
    garman_klass = math.sqrt(TRADING_DAYS * gk_sum / n)
    assert feats[f"vol_parkinson_{n}d"].iloc[t] == pytest.approx(parkinson, rel=1e-10)
    assert feats[f"vol_gk_{n}d"].iloc[t] == pytest.approx(garman_klass, rel=1e-10)
    assert np.isnan(feats[f"vol_parkinson_{n}d"].iloc[n - 2])
    assert feats[f"vol_parkinson_{n}d"].iloc[n - 1 :].notna().all()


def test_range_volatility_of_a_constant_range() -> None:
    n = 40
    bars = pd.DataFrame(
        {
            "open": np.full(n, 100.0),
            "high": np.full(n, 100.0 * math.exp(0.01)),
            "low": np.full(n, 100.0 * math.exp(-0.01)),
            "close": np.full(n, 100.0),
            "volume": np.full(n, 1e6),
        },
        index=pd.bdate_range("2020-01-01", periods=n, name="date"),
    )
    row = build_features({"K": bars}, benchmark=None).iloc[-1]
    # ln(H/L) = 0.02 on every bar, no open-to-close move
    assert row["vol_parkinson_20d"] == pytest.approx(math.sqrt(252 * 0.02**2 / (4 * math.log(2))))
    assert row["vol_gk_20d"] == pytest.approx(math.sqrt(252 * 0.5 * 0.02**2))
    assert row["vol_20d"] == 0.0 and row["ret_20d"] == 0.0
    assert np.isnan(row["vol_ratio_10_60"])  # 40 bars: no 60-bar volatility


def test_returns_moving_average_distance_and_relative_volume(case) -> None:
    x, _, feats = case
    close, volume = x["close"].to_numpy(), x["volume"].to_numpy()
    t = 299
    assert feats["ret_20d"].iloc[t] == pytest.approx(close[t] / close[t - 20] - 1, rel=1e-12)
    assert feats["ret_250d"].iloc[t] == pytest.approx(close[t] / close[t - 250] - 1, rel=1e-12)
    assert feats["mom_250_20"].iloc[t] == pytest.approx(close[t - 20] / close[t - 250] - 1)
    sma200 = sum(close[t - 199 : t + 1]) / 200
    assert feats["dist_sma_200"].iloc[t] == pytest.approx(close[t] / sma200 - 1, rel=1e-10)
    assert np.isnan(feats["dist_sma_200"].iloc[198]) and not np.isnan(
        feats["dist_sma_200"].iloc[199]
    )
    prior20 = sum(volume[t - 20 : t]) / 20
    assert feats["rel_volume_20d"].iloc[t] == pytest.approx(volume[t] / prior20, rel=1e-12)
    log_ret = np.diff(np.log(close[t - 20 : t + 1]))
    vol20 = np.std(log_ret, ddof=1) * math.sqrt(TRADING_DAYS)
    assert feats["vol_20d"].iloc[t] == pytest.approx(vol20, rel=1e-9)
    dollar = close[t - 19 : t + 1] * volume[t - 19 : t + 1]
    assert feats["log_dollar_volume_20d"].iloc[t] == pytest.approx(math.log(dollar.mean()))
    top = x["high"].to_numpy()[t - 249 : t + 1].max()
    assert feats["dist_high_250d"].iloc[t] == pytest.approx(close[t] / top - 1, rel=1e-12)
    days_since = 249 - int(np.flatnonzero(x["high"].to_numpy()[t - 249 : t + 1] == top)[-1])
    assert feats["bars_since_high_250d"].iloc[t] == days_since


def test_talib_indicators_are_wired_as_documented(case) -> None:
    x, _, feats = case
    high, low, close = (x[c].to_numpy() for c in ("high", "low", "close"))
    np.testing.assert_allclose(feats["rsi_14"], talib.RSI(close, 14), equal_nan=True)
    macd, signal, _ = talib.MACD(close, 12, 26, 9)
    np.testing.assert_allclose(feats["macd_pct"], macd / close, equal_nan=True)
    np.testing.assert_allclose(feats["macd_signal_pct"], signal / close, equal_nan=True)
    np.testing.assert_allclose(feats["atr_14_pct"], talib.ATR(high, low, close, 14) / close,
                               equal_nan=True)  # fmt: skip
    upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0)
    np.testing.assert_allclose(feats["bb_pctb_20"], (close - lower) / (upper - lower),
                               equal_nan=True)  # fmt: skip
    np.testing.assert_allclose(feats["adx_14"], talib.ADX(high, low, close, 14), equal_nan=True)


def test_beta_correlation_and_residual_vol_match_a_hand_ols(case) -> None:
    x, bench, feats = case
    r = x["close"].pct_change().to_numpy()
    m = bench["close"].pct_change().to_numpy()
    t, n = 299, 60
    y, z = r[t - n + 1 : t + 1], m[t - n + 1 : t + 1]
    design = np.column_stack([np.ones(n), z])
    (alpha, beta), *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ np.array([alpha, beta])
    assert feats["beta_60d"].iloc[t] == pytest.approx(beta, rel=1e-9)
    assert beta > 0.5
    assert feats["corr_60d"].iloc[t] == pytest.approx(np.corrcoef(y, z)[0, 1], rel=1e-9)
    idio = np.std(residuals, ddof=1) * math.sqrt(TRADING_DAYS)
    assert feats["idio_vol_60d"].iloc[t] == pytest.approx(idio, rel=1e-8)
    own = x["close"].iloc[t] / x["close"].iloc[t - 20] - 1
    excess = own - (bench["close"].iloc[t] / bench["close"].iloc[t - 20] - 1)
    assert feats["excess_ret_20d"].iloc[t] == pytest.approx(excess, rel=1e-12)


def test_benchmark_is_carried_forward_never_back() -> None:
    x = make_bars(80, seed=13)
    bench = make_bars(90, seed=14, start="2009-12-21")
    missing = x.index[[40, 41]]
    gappy = bench.drop(missing)  # the index has no bar on two of X's days
    feats = build_features({"X": x}, benchmark=gappy).xs("X", level="ticker")
    # on X's day 41, the benchmark's last close is the one before day 40: its 1-bar move is 0
    b = gappy["close"]
    before = b.loc[: missing[0]].iloc[-1]
    expected_ret5 = before / b.loc[: x.index[36]].iloc[-1] - 1
    x_ret5 = x["close"].iloc[41] / x["close"].iloc[36] - 1
    assert feats["excess_ret_5d"].iloc[41] == pytest.approx(x_ret5 - expected_ret5, rel=1e-12)
    late = build_features({"X": x}, benchmark=bench.loc["2010-02-01":])
    assert late.loc[: pd.Timestamp("2010-01-29"), "excess_ret_5d"].isna().all()


def test_cross_section_on_a_hand_built_date() -> None:
    dates = pd.bdate_range("2021-03-01", periods=25, name="date")

    def flat_then(move: float, n: int = 25) -> pd.DataFrame:
        close = np.full(n, 100.0)
        close[-1] = 100.0 * (1 + move)
        return pd.DataFrame(
            {"open": close, "high": close * 1.01, "low": close * 0.99, "close": close,
             "volume": np.full(n, 1e6)},
            index=dates[-n:],
        )  # fmt: skip

    bars = {
        "A": flat_then(0.10),
        "B": flat_then(0.30),
        "C": flat_then(0.20),
        "D": flat_then(0.5, 10),
    }
    day = build_features(bars, benchmark=None).loc[dates[-1]]
    # D has 10 bars, no 20-bar return: it takes no part
    assert np.isnan(day.loc["D", "cs_rank_ret_20d"]) and np.isnan(day.loc["D", "cs_z_ret_20d"])
    np.testing.assert_allclose(day.loc[["A", "B", "C"], "ret_20d"], [0.1, 0.3, 0.2], rtol=1e-12)
    np.testing.assert_allclose(day.loc[["A", "B", "C"], "cs_rank_ret_20d"], [0.0, 1.0, 0.5])
    # mean 0.2, sample sd 0.1
    np.testing.assert_allclose(day.loc[["A", "B", "C"], "cs_z_ret_20d"], [-1, 1, 0], atol=1e-12)
    # all four have a 5-bar return: D joins that cross-section
    ret5 = day["ret_5d"].to_numpy()
    z = (ret5 - ret5.mean()) / ret5.std(ddof=1)
    np.testing.assert_allclose(day["cs_z_ret_5d"], z, rtol=1e-12)
    np.testing.assert_allclose(day["cs_rank_ret_5d"], [0, 2 / 3, 1 / 3, 1])


def test_calendar_features_on_known_dates() -> None:
    dates = pd.DatetimeIndex(["2013-02-26", "2013-02-28", "2013-03-01", "2013-03-04",
                              "2013-03-15", "2013-03-28"], name="date")  # fmt: skip
    bars = pd.DataFrame(
        {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.0, "volume": 1e5}, index=dates
    )
    cal = build_features({"Z": bars}, benchmark=None).xs("Z", level="ticker")
    assert cal["day_of_week"].tolist() == [1, 3, 4, 0, 4, 3]
    assert cal["month"].tolist() == [2, 2, 3, 3, 3, 3]
    assert cal["weekdays_to_month_end"].tolist() == [2, 0, 20, 19, 10, 1]
    assert cal["weekdays_since_month_start"].tolist() == [17, 19, 0, 1, 10, 19]
    assert cal["days_to_month_end"].tolist() == [2, 0, 30, 27, 16, 3]
    # Good Friday 2013-03-29 is a holiday, but only the calendar is used, not later bars
    assert cal["turn_of_month"].tolist() == [0, 1, 1, 1, 0, 0]
    assert cal["quarter_end_month"].tolist() == [0, 0, 1, 1, 1, 1]
    assert np.isnan(cal["days_since_prev_bar"].iloc[0])
    assert cal["days_since_prev_bar"].iloc[1:].tolist() == [2, 1, 3, 11, 13]
