"""Look-ahead tests: features computed on data cut at t equal those computed on all the data.

``lookahead_mismatches`` is the check; the last tests show that it catches the usual leaks
(a centred window, ``shift(-1)``, a full-sample normalisation, a backward-filled benchmark).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.features import FEATURE_NAMES, build_features

TICKERS = ("AAPL", "GOOG", "IBM", "MSFT", "FB")
END = date(2013, 2, 28)
# around GOOG's and FB's first bars (the universe grows), a crash, and the last days
CUTS = (
    date(2004, 8, 18),
    date(2004, 8, 19),
    date(2004, 8, 20),
    date(2008, 10, 10),
    date(2012, 5, 17),
    date(2012, 5, 18),
    date(2012, 5, 21),
    date(2012, 12, 31),
    date(2013, 2, 27),
)

FeatureFn = Callable[[Mapping[str, pd.DataFrame], pd.DataFrame | None], pd.DataFrame]


@pytest.fixture(scope="module")
def market() -> MarketData:
    return MarketData([BundledProvider()])


@pytest.fixture(scope="module")
def data(market: MarketData) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    bars = {t: market.bars(t, start=None, end=END).frame for t in TICKERS}
    return bars, market.bars("^GSPC", start=None, end=END).frame


def _cut(frame: pd.DataFrame, cut: date) -> pd.DataFrame:
    return frame.loc[frame.index <= pd.Timestamp(cut)]


def truncated(
    bars: Mapping[str, pd.DataFrame], benchmark: pd.DataFrame, cut: date
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Inputs as they stood on ``cut``: tickers without a bar yet are not in the universe."""
    cut_bars = {t: _cut(f, cut) for t, f in bars.items()}
    return {t: f for t, f in cut_bars.items() if not f.empty}, _cut(benchmark, cut)


def frame_mismatches(
    full: pd.DataFrame, part: pd.DataFrame, *, rtol: float = 1e-12, atol: float = 1e-12
) -> list[str]:
    """Columns where two panels differ (NaN equals NaN); a different index is one mismatch."""
    if not full.index.equals(part.index):
        return ["<index>"]
    bad = []
    for col in full.columns:
        a, b = full[col].to_numpy(), part[col].to_numpy()
        same = (np.isnan(a) & np.isnan(b)) | np.isclose(a, b, rtol=rtol, atol=atol)
        if not same.all():
            bad.append(col)
    return bad


def lookahead_mismatches(
    fn: FeatureFn,
    bars: Mapping[str, pd.DataFrame],
    benchmark: pd.DataFrame,
    cuts: tuple[date, ...],
) -> list[str]:
    """``cut: column`` for every column whose values up to ``cut`` change when later data exist."""
    full = fn(bars, benchmark)
    found = []
    for cut in cuts:
        part = fn(*truncated(bars, benchmark, cut))
        upto = full.loc[full.index.get_level_values("date") <= pd.Timestamp(cut)]
        found += [f"{cut}: {col}" for col in frame_mismatches(upto, part)]
    return found


def features(bars: Mapping[str, pd.DataFrame], benchmark: pd.DataFrame | None) -> pd.DataFrame:
    return build_features(bars, benchmark=benchmark)


def test_every_feature_is_point_in_time_as_the_universe_grows(data) -> None:
    bars, spx = data
    assert lookahead_mismatches(features, bars, spx, CUTS) == []


def test_the_cuts_exercise_every_column_and_the_changing_universe(data) -> None:
    bars, spx = data
    full = features(bars, spx)
    last_cut = full.loc[pd.Timestamp(CUTS[-1])]
    assert set(last_cut.index) == set(TICKERS)
    assert last_cut.notna().any(axis=0).all()  # every column has values to compare that day
    assert last_cut.drop("FB").notna().all(axis=None)  # FB is too young for 250-bar features
    goog_day = full.loc[pd.Timestamp("2004-08-19")]
    assert "GOOG" in goog_day.index and "FB" not in goog_day.index
    # FB's first day: FB has no 20-bar return, so it is left out of that cross-section
    fb_day = full.loc[pd.Timestamp("2012-05-18")]
    assert np.isnan(fb_day.loc["FB", "cs_rank_ret_20d"])
    ranks = sorted(fb_day["cs_rank_ret_20d"].drop("FB"))
    np.testing.assert_allclose(ranks, [0.0, 1 / 3, 2 / 3, 1.0], rtol=0, atol=1e-15)


def test_as_of_is_the_same_as_cutting_the_inputs(data) -> None:
    bars, spx = data
    for cut in (date(2004, 8, 19), date(2012, 5, 18), date(2012, 11, 3)):  # the last a Saturday
        by_as_of = build_features(bars, benchmark=spx, as_of=cut)
        cut_bars, cut_spx = truncated(bars, spx, cut)
        by_hand = build_features(cut_bars, benchmark=cut_spx)
        assert frame_mismatches(by_as_of, by_hand, rtol=0, atol=0) == []
        assert by_as_of.index.get_level_values("date").max() <= pd.Timestamp(cut)


def test_bars_fetched_as_of_t_give_the_same_features(market: MarketData, data) -> None:
    """Bars adjusted as of t differ from later-adjusted bars by a constant factor per ticker;
    every feature is scale-free, so the values agree (to rounding)."""
    bars, spx = data
    full = features(bars, spx)
    for cut in (date(2008, 10, 10), date(2012, 8, 31)):
        refetched = {t: market.bars(t, start=None, end=cut).frame for t in ("AAPL", "IBM", "MSFT")}
        ratio = refetched["MSFT"]["close"] / bars["MSFT"]["close"].loc[: pd.Timestamp(cut)]
        assert ratio.std() < 1e-12 and abs(ratio.iloc[0] - 1) > 1e-3  # really rescaled
        part = features(refetched, market.bars("^GSPC", start=None, end=cut).frame)
        three = full.loc[
            (full.index.get_level_values("date") <= pd.Timestamp(cut))
            & full.index.get_level_values("ticker").isin(["AAPL", "IBM", "MSFT"])
        ]
        single = [c for c in FEATURE_NAMES if not c.startswith("cs_")]  # 3-name universe here
        assert frame_mismatches(three[single], part[single], rtol=1e-9, atol=1e-9) == []


# --- the check catches leaks ---------------------------------------------------------------


def _with(extra: Callable[[pd.DataFrame, pd.DataFrame], pd.Series]) -> FeatureFn:
    def fn(bars: Mapping[str, pd.DataFrame], benchmark: pd.DataFrame | None) -> pd.DataFrame:
        panel = build_features(bars, benchmark=benchmark)[["ret_1d", "dist_sma_20"]]
        close = pd.concat(bars, names=["ticker", "date"])["close"].swaplevel().sort_index()
        return panel.assign(leak=extra(close, benchmark))

    return fn


def _by_ticker(close: pd.Series, f: Callable[[pd.Series], pd.Series]) -> pd.Series:
    return close.groupby(level="ticker", group_keys=False).apply(f)


LEAKS: dict[str, Callable[[pd.Series, pd.DataFrame], pd.Series]] = {
    "centred window": lambda c, _: _by_ticker(c, lambda s: s / s.rolling(5, center=True).mean()),
    "shift(-1)": lambda c, _: _by_ticker(c, lambda s: s.shift(-1) / s - 1),
    "full-sample z-score": lambda c, _: (c - c.mean()) / c.std(),
    "backward-filled benchmark": lambda c, b: pd.Series(
        b["close"].reindex(c.index.get_level_values("date"), method="bfill").to_numpy(),
        index=c.index,
    ),
}


@pytest.mark.parametrize("leak", list(LEAKS))
def test_the_check_catches_a_leaking_feature(data, leak: str) -> None:
    bars, spx = data
    # a backward fill reads the future only where the benchmark lacks a ticker's day
    gappy = spx.drop([pd.Timestamp(c) for c in CUTS if pd.Timestamp(c) in spx.index])
    found = lookahead_mismatches(_with(LEAKS[leak]), bars, gappy, CUTS)
    assert found, f"{leak} was not caught"
    assert {entry.split(": ")[1] for entry in found} == {"leak"}  # and nothing else is flagged


def test_the_check_passes_an_honest_extra_feature(data) -> None:
    bars, spx = data
    honest = _with(lambda c, _: _by_ticker(c, lambda s: s / s.rolling(5).mean()))
    assert lookahead_mismatches(honest, bars, spx, CUTS) == []
