"""The panel's contract: names, shape, dtypes, index, NaN rules and input checks."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.features import FEATURE_DESCRIPTIONS, FEATURE_GROUPS, FEATURE_NAMES, build_features

EXPECTED_GROUPS = {
    "returns": (
        "ret_1d", "ret_5d", "ret_10d", "ret_20d", "ret_60d", "ret_120d", "ret_250d", "mom_250_20",
        "ret_overnight", "ret_intraday", "ret_max_20d", "ret_min_20d", "skew_60d", "kurt_60d",
        "up_days_20d",
    ),
    "volatility": (
        "vol_10d", "vol_20d", "vol_60d", "vol_120d", "vol_250d", "vol_parkinson_20d",
        "vol_parkinson_60d", "vol_gk_20d", "vol_gk_60d", "vol_downside_60d", "vol_ratio_10_60",
        "vol_ratio_20_120", "vol_ratio_20_250", "atr_14_pct", "range_20d_pct",
    ),
    "trend": (
        "dist_sma_10", "dist_sma_20", "dist_sma_50", "dist_sma_100", "dist_sma_200",
        "sma_20_slope_5d", "sma_50_slope_10d", "sma_200_slope_20d", "sma_20_50_spread",
        "sma_50_200_spread", "dist_high_20d", "dist_high_250d", "dist_low_20d", "dist_low_250d",
        "range_pos_20d", "range_pos_250d", "bars_since_high_250d", "bars_since_low_250d",
        "trend_slope_60d", "trend_r2_60d", "adx_14", "plus_di_14", "minus_di_14", "di_spread_14",
        "aroon_osc_25",
    ),
    "oscillators": (
        "rsi_2", "rsi_14", "rsi_28", "macd_pct", "macd_signal_pct", "macd_hist_pct", "bb_pctb_20",
        "bb_width_20", "stoch_k_14", "stoch_d_14", "willr_14", "cci_20", "ultosc_7_14_28",
    ),
    "volume": (
        "rel_volume_20d", "rel_volume_5_60", "log_dollar_volume_1d", "log_dollar_volume_20d",
        "mfi_14", "cmf_20", "obv_change_20d", "obv_change_60d", "amihud_20d", "up_volume_20d",
    ),
    "relative": (
        "excess_ret_5d", "excess_ret_20d", "excess_ret_60d", "excess_ret_120d", "excess_ret_250d",
        "beta_60d", "beta_250d", "corr_60d", "corr_250d", "idio_vol_60d", "rs_dist_sma_50",
    ),
    "regime": (
        "regime", "vol_pct", "mkt_regime", "mkt_vol_20d", "mkt_vol_pct", "mkt_dist_sma_200",
        "mkt_sma_50_slope_20d", "mkt_ret_20d", "mkt_ret_60d",
    ),
    "calendar": (
        "day_of_week", "month", "day_of_month", "weekdays_since_month_start",
        "weekdays_to_month_end", "days_to_month_end", "turn_of_month", "quarter_end_month",
        "days_since_prev_bar",
    ),
    "cross_section": (
        "cs_rank_ret_5d", "cs_rank_ret_20d", "cs_rank_ret_60d", "cs_rank_ret_250d",
        "cs_rank_mom_250_20", "cs_rank_vol_20d", "cs_rank_vol_60d", "cs_rank_dist_sma_50",
        "cs_rank_dist_sma_200", "cs_rank_dist_high_250d", "cs_rank_rsi_14",
        "cs_rank_rel_volume_20d", "cs_rank_log_dollar_volume_20d", "cs_rank_beta_250d",
        "cs_z_ret_5d", "cs_z_ret_20d", "cs_z_ret_60d", "cs_z_ret_250d", "cs_z_mom_250_20",
        "cs_z_vol_20d", "cs_z_vol_60d", "cs_z_dist_sma_50", "cs_z_dist_sma_200",
        "cs_z_dist_high_250d", "cs_z_rsi_14", "cs_z_rel_volume_20d", "cs_z_log_dollar_volume_20d",
        "cs_z_beta_250d",
    ),
}  # fmt: skip


def make_bars(n: int, *, seed: int, start: str = "2010-01-04") -> pd.DataFrame:
    """A random but valid OHLCV frame on weekdays."""
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
def real() -> pd.DataFrame:
    md = MarketData([BundledProvider()])
    end = date(2013, 2, 28)
    bars = {t: md.bars(t, start=None, end=end).frame for t in ("AAPL", "GOOG", "IBM", "MSFT", "FB")}
    return build_features(bars, benchmark=md.bars("^GSPC", start=None, end=end).frame)


def test_names_are_unique_documented_and_stable() -> None:
    assert len(FEATURE_NAMES) >= 100
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert dict(FEATURE_GROUPS) == EXPECTED_GROUPS  # renaming a feature is a deliberate act
    assert tuple(n for names in EXPECTED_GROUPS.values() for n in names) == FEATURE_NAMES
    assert set(FEATURE_DESCRIPTIONS) == set(FEATURE_NAMES)
    assert all(FEATURE_DESCRIPTIONS.values())


def test_real_panel_shape_dtypes_and_values(real: pd.DataFrame) -> None:
    assert list(real.columns) == list(FEATURE_NAMES)
    assert (real.dtypes == np.float64).all()
    assert real.index.names == ["date", "ticker"]
    assert real.index.is_monotonic_increasing and real.index.is_unique
    assert len(real) == 3 * 3269 + 2147 + 195  # one row per input bar
    values = real.to_numpy()
    assert not np.isinf(values).any()
    assert real.notna().any().all()  # no column is empty
    # bounded features stay in their ranges
    for col in ("cs_rank_ret_20d", "range_pos_250d", "vol_pct", "up_days_20d", "trend_r2_60d"):
        assert real[col].dropna().between(0, 1).all(), col
    for col in ("rsi_14", "mfi_14", "stoch_k_14", "adx_14", "ultosc_7_14_28"):
        assert real[col].dropna().between(-1e-9, 100 + 1e-9).all(), col  # TA-Lib rounding
    for col in ("corr_60d", "cmf_20", "obv_change_20d"):
        assert real[col].dropna().between(-1, 1).all(), col
    assert (real["dist_high_250d"].dropna() <= 0).all()
    assert (real["dist_low_250d"].dropna() >= 0).all()
    assert set(real["regime"].dropna().unique()) == {-1.0, 0.0, 1.0}


def test_history_shorter_than_a_window_is_nan(real: pd.DataFrame) -> None:
    fb = real.xs("FB", level="ticker")
    assert fb["ret_20d"].isna().sum() == 20 and fb["ret_20d"].iloc[20:].notna().all()
    assert fb["ret_250d"].isna().all() and fb["dist_sma_200"].isna().all()  # 195 bars
    assert fb["dist_sma_100"].iloc[:99].isna().all() and fb["dist_sma_100"].iloc[99:].notna().all()
    aapl = real.xs("AAPL", level="ticker")
    assert aapl["vol_250d"].iloc[:250].isna().all() and aapl["vol_250d"].iloc[250:].notna().all()


def test_without_a_benchmark_only_benchmark_features_are_nan() -> None:
    bars = {"A": make_bars(400, seed=1), "B": make_bars(400, seed=2)}
    spx = make_bars(450, seed=3, start="2009-11-02")
    with_b = build_features(bars, benchmark=spx)
    without = build_features(bars, benchmark=None)
    needs = [
        *FEATURE_GROUPS["relative"],
        *(n for n in FEATURE_NAMES if n.startswith("mkt_") or n.endswith("_beta_250d")),
    ]
    assert without[needs].isna().all(axis=None)
    assert with_b[needs].iloc[-10:].notna().all(axis=None)
    rest = [n for n in FEATURE_NAMES if n not in needs]
    pd.testing.assert_frame_equal(with_b[rest], without[rest])


def test_unusable_rows_are_nan_and_skipped_by_windows() -> None:
    bars = make_bars(300, seed=4)
    broken = bars.copy()
    broken.iloc[150, broken.columns.get_loc("close")] = np.nan
    broken.iloc[200, broken.columns.get_loc("volume")] = -1.0
    panel = build_features({"X": broken}, benchmark=None).xs("X", level="ticker")
    assert len(panel) == 300
    assert panel.iloc[[150, 200]].isna().all(axis=None)
    # the next bar's return is measured from the last usable close
    close = bars["close"]
    assert panel["ret_1d"].iloc[151] == pytest.approx(close.iloc[151] / close.iloc[149] - 1)
    assert panel["days_since_prev_bar"].iloc[151] == (bars.index[151] - bars.index[149]).days


def test_deterministic_and_independent_of_the_rest_of_the_universe() -> None:
    a, b, c = make_bars(500, seed=5), make_bars(300, seed=6), make_bars(500, seed=7)
    alone = build_features({"A": a}, benchmark=c)
    crowd = build_features({"A": a, "B": b, "C": c}, benchmark=c)
    single = [n for n in FEATURE_NAMES if not n.startswith("cs_")]
    pd.testing.assert_frame_equal(
        crowd.xs("A", level="ticker")[single], alone.xs("A", level="ticker")[single]
    )
    pd.testing.assert_frame_equal(crowd, build_features({"C": c, "B": b, "A": a}, benchmark=c))
    assert alone.filter(like="cs_").isna().all(axis=None)  # one ticker: no cross-section


def test_empty_inputs_give_an_empty_panel() -> None:
    empty = make_bars(10, seed=8).iloc[:0]
    panel = build_features({"A": empty}, benchmark=None)
    assert panel.empty and list(panel.columns) == list(FEATURE_NAMES)
    cut = build_features({"A": make_bars(10, seed=8)}, benchmark=None, as_of=date(2000, 1, 1))
    assert cut.empty


def test_bad_inputs_are_refused() -> None:
    bars = make_bars(30, seed=9)
    with pytest.raises(ValueError, match="sorted"):
        build_features({"A": bars.iloc[::-1]}, benchmark=None)
    with pytest.raises(ValueError, match="missing columns"):
        build_features({"A": bars.drop(columns="volume")}, benchmark=None)
    with pytest.raises(ValueError, match="DatetimeIndex"):
        build_features({"A": bars.reset_index(drop=True)}, benchmark=None)
    with pytest.raises(ValueError, match="min_cross_section"):
        build_features({"A": bars}, benchmark=None, min_cross_section=1)
