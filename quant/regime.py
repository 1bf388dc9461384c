"""Market regime: bull, bear or choppy, from trend and volatility, point in time.

The rule, evaluated on one bar with only that bar and earlier ones:

- ``sma_short`` / ``sma_long``: simple moving averages of the close over ``short_window`` (50) and
  ``long_window`` (200) bars.
- ``slope_short``: ``sma_short / sma_short[slope_window bars earlier] - 1`` (``slope_window`` 20).
- ``volatility``: annualised standard deviation (ddof=1, x sqrt(252)) of daily log returns over
  ``vol_window`` (20) bars; ``volatility_percentile``: the fraction of all volatility values so
  far (this bar included) that are <= this bar's, i.e. its percentile against its own history.
- **bull** when ``close > sma_long`` and ``slope_short > min_slope`` and
  ``volatility_percentile < extreme_vol_percentile`` (volatility not extreme);
  **bear** when ``close < sma_long`` and ``slope_short < -min_slope``;
  **choppy** otherwise (mixed trend signals, a flat average, or an uptrend in extreme volatility).
- Undefined (NaN in the series; ``InsufficientHistoryError`` from the point function) until
  every measure exists: ``max(long_window, short_window + slope_window, vol_window + 1)`` bars
  (200 with the defaults).

Closes that are missing or not positive are skipped: windows count usable bars.
``market_regime`` labels one series at one date, ``regime_series`` one series at every date,
``regime_labels`` many series at one date (vectorised across them, equal to ``market_regime``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from core.asof import up_to
from quant.arrays import FloatArray

__all__ = [
    "LABELS",
    "REGIME_CODES",
    "InsufficientHistoryError",
    "Regime",
    "RegimeLabel",
    "market_regime",
    "regime_measures",
    "regime_labels",
    "regime_measures_wide",
    "regime_series",
]

TRADING_DAYS = 252
RegimeLabel = Literal["bull", "bear", "choppy"]
LABELS: tuple[RegimeLabel, ...] = ("bull", "bear", "choppy")
REGIME_CODES: dict[str, float] = {"bull": 1.0, "choppy": 0.0, "bear": -1.0}


class InsufficientHistoryError(ValueError):
    """Too few usable closes on or before ``as_of`` to label the regime."""


@dataclass(frozen=True, slots=True)
class Regime:
    """The regime on the last usable bar on or before ``as_of`` and the measures behind it."""

    label: RegimeLabel
    as_of: date
    bar_date: date
    close: float
    sma_short: float
    sma_long: float
    distance_long: float  # close / sma_long - 1
    slope_short: float  # sma_short / sma_short slope_window bars earlier - 1
    volatility: float  # annualised, over vol_window bars
    volatility_percentile: float  # in (0, 1], against its own history up to bar_date

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["as_of"], out["bar_date"] = self.as_of.isoformat(), self.bar_date.isoformat()
        return out


def _trend_and_volatility(
    closes: pd.DataFrame, *, short_window: int, long_window: int, slope_window: int, vol_window: int
) -> dict[str, pd.DataFrame]:
    """The rolling measures of the rule, down each column of ``closes``."""
    if min(short_window, long_window, slope_window) < 1 or vol_window < 2:
        raise ValueError("windows must be >= 1 (vol_window >= 2)")
    sma_short = closes.rolling(short_window, min_periods=short_window).mean()
    sma_long = closes.rolling(long_window, min_periods=long_window).mean()
    # a ufunc on a DataFrame returns a DataFrame; numpy's stubs only know it returns an array
    log_ret: pd.DataFrame = np.log(closes / closes.shift(1))  # type: ignore[assignment]
    vol = log_ret.rolling(vol_window, min_periods=vol_window).std(ddof=1) * np.sqrt(TRADING_DAYS)
    return {
        "sma_short": sma_short,
        "sma_long": sma_long,
        "slope_short": sma_short / sma_short.shift(slope_window) - 1.0,
        "volatility": vol,
    }


def _codes(
    close: FloatArray,
    sma_long: FloatArray,
    slope: FloatArray,
    vol_pct: FloatArray,
    *,
    extreme_vol_percentile: float,
    min_slope: float,
) -> FloatArray:
    """The rule on arrays of equal shape: bull 1.0, choppy 0.0, bear -1.0, NaN while unknown."""
    known = np.isfinite(close) & np.isfinite(sma_long) & np.isfinite(slope) & np.isfinite(vol_pct)
    bull = (close > sma_long) & (slope > min_slope) & (vol_pct < extreme_vol_percentile)
    bear = (close < sma_long) & (slope < -min_slope)
    return np.select(
        [~known, bull, bear],
        [np.nan, REGIME_CODES["bull"], REGIME_CODES["bear"]],
        default=REGIME_CODES["choppy"],
    )


def regime_measures_wide(
    closes: pd.DataFrame,
    *,
    short_window: int = 50,
    long_window: int = 200,
    slope_window: int = 20,
    vol_window: int = 20,
    extreme_vol_percentile: float = 0.9,
    min_slope: float = 0.0,
) -> dict[str, pd.DataFrame]:
    """The rule's measures for many series at once (vectorised down each column).

    closes: one column per series, rows are consecutive usable bars, oldest first; NaN only as
    padding after a column's last bar. Returns frames shaped like ``closes``: ``sma_short``,
    ``sma_long``, ``distance_long``, ``slope_short``, ``volatility``, ``volatility_percentile``
    and ``code`` (bull 1.0, choppy 0.0, bear -1.0, NaN while undefined).
    """
    m = _trend_and_volatility(
        closes,
        short_window=short_window,
        long_window=long_window,
        slope_window=slope_window,
        vol_window=vol_window,
    )
    vol_pct = m["volatility"].expanding().rank(method="max", pct=True)
    code = _codes(
        closes.to_numpy(),
        m["sma_long"].to_numpy(),
        m["slope_short"].to_numpy(),
        vol_pct.to_numpy(),
        extreme_vol_percentile=extreme_vol_percentile,
        min_slope=min_slope,
    )
    return {
        "sma_short": m["sma_short"],
        "sma_long": m["sma_long"],
        "distance_long": closes / m["sma_long"] - 1.0,
        "slope_short": m["slope_short"],
        "volatility": m["volatility"],
        "volatility_percentile": vol_pct,
        "code": pd.DataFrame(code, index=closes.index, columns=closes.columns),
    }


def _usable(close: pd.Series) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """The closes as floats and where they are usable (finite and positive)."""
    values = cast(FloatArray, pd.to_numeric(close, errors="coerce").astype("float64").to_numpy())
    return values, np.isfinite(values) & (values > 0)


def _check_index(close: pd.Series) -> None:
    if not isinstance(close.index, pd.DatetimeIndex) or not close.index.is_monotonic_increasing:
        raise ValueError("close needs a DatetimeIndex sorted oldest first")


def regime_measures(
    close: pd.Series,
    *,
    short_window: int = 50,
    long_window: int = 200,
    slope_window: int = 20,
    vol_window: int = 20,
    extreme_vol_percentile: float = 0.9,
    min_slope: float = 0.0,
) -> pd.DataFrame:
    """Every measure of the rule and the label, on every bar of ``close`` (vectorised).

    close: prices, oldest first. Returns a frame on ``close``'s index with float columns
    ``close``, ``sma_short``, ``sma_long``, ``distance_long``, ``slope_short``, ``volatility``,
    ``volatility_percentile`` and a categorical ``label`` (NaN where a measure is missing, and
    on rows whose close is missing or not positive). Every row uses only it and earlier rows.
    """
    values, usable = _usable(close)
    wide = regime_measures_wide(
        pd.DataFrame({"close": values[usable]}),
        short_window=short_window,
        long_window=long_window,
        slope_window=slope_window,
        vol_window=vol_window,
        extreme_vol_percentile=extreme_vol_percentile,
        min_slope=min_slope,
    )
    names = {code: label for label, code in REGIME_CODES.items()}
    labels = [names.get(c) for c in wide.pop("code")["close"].to_numpy()]
    frame = pd.DataFrame(
        {"close": values[usable], **{k: v["close"].to_numpy() for k, v in wide.items()}},
        index=close.index[usable],
    )
    frame["label"] = pd.Categorical(labels, categories=list(LABELS))
    return frame.reindex(close.index)


def regime_series(
    close: pd.Series,
    *,
    short_window: int = 50,
    long_window: int = 200,
    slope_window: int = 20,
    vol_window: int = 20,
    extreme_vol_percentile: float = 0.9,
    min_slope: float = 0.0,
) -> pd.Series:
    """The regime label on every bar of ``close`` (categorical bull/bear/choppy, NaN if unknown).

    Equals ``market_regime(close, as_of=d).label`` on every date ``d`` that has a usable close.
    """
    frame = regime_measures(
        close,
        short_window=short_window,
        long_window=long_window,
        slope_window=slope_window,
        vol_window=vol_window,
        extreme_vol_percentile=extreme_vol_percentile,
        min_slope=min_slope,
    )
    return frame["label"].rename("regime")


def market_regime(
    close: pd.Series,
    *,
    as_of: date,
    short_window: int = 50,
    long_window: int = 200,
    slope_window: int = 20,
    vol_window: int = 20,
    extreme_vol_percentile: float = 0.9,
    min_slope: float = 0.0,
) -> Regime:
    """The regime of ``close`` (an index or a stock, DatetimeIndex oldest first) as of ``as_of``.

    Uses only closes dated on or before ``as_of``; the label is that of the last usable bar.
    Raises ``InsufficientHistoryError`` when that bar has fewer than ``long_window`` usable
    closes behind it (itself included).
    """
    _check_index(close)
    past = up_to(close, as_of=as_of)
    frame = regime_measures(
        past,
        short_window=short_window,
        long_window=long_window,
        slope_window=slope_window,
        vol_window=vol_window,
        extreme_vol_percentile=extreme_vol_percentile,
        min_slope=min_slope,
    ).dropna(subset=["close"])
    if frame.empty or pd.isna(frame["label"].iloc[-1]):
        raise InsufficientHistoryError(
            f"{len(frame)} usable closes on or before {as_of.isoformat()}; the regime needs "
            f"at least {max(long_window, short_window + slope_window, vol_window + 1)}"
        )
    row = frame.iloc[-1]
    return Regime(
        label=row["label"],
        as_of=as_of,
        bar_date=frame.index[-1].date(),
        close=float(row["close"]),
        sma_short=float(row["sma_short"]),
        sma_long=float(row["sma_long"]),
        distance_long=float(row["distance_long"]),
        slope_short=float(row["slope_short"]),
        volatility=float(row["volatility"]),
        volatility_percentile=float(row["volatility_percentile"]),
    )


def regime_labels(
    closes: Sequence[pd.Series],
    *,
    as_of: date,
    short_window: int = 50,
    long_window: int = 200,
    slope_window: int = 20,
    vol_window: int = 20,
    extreme_vol_percentile: float = 0.9,
    min_slope: float = 0.0,
) -> list[RegimeLabel | None]:
    """``market_regime(close, as_of=as_of).label`` of every series at once, in order; None
    where that raises ``InsufficientHistoryError``. Each series sees only its closes dated on
    or before ``as_of``.

    closes: prices, each on a DatetimeIndex sorted oldest first. The rolling measures run down
    one column per series (the same pandas kernels as ``market_regime``, so the labels are
    equal); the volatility percentile is taken at each series' last usable bar only.
    """
    usable = []
    for close in closes:
        _check_index(close)
        values, ok = _usable(up_to(close, as_of=as_of))
        usable.append(values[ok])
    lengths = np.array([len(v) for v in usable], dtype=np.intp)
    block = np.full((int(lengths.max(initial=0)), len(usable)), np.nan)
    for j, values in enumerate(usable):
        block[: len(values), j] = values
    m = _trend_and_volatility(
        pd.DataFrame(block),
        short_window=short_window,
        long_window=long_window,
        slope_window=slope_window,
        vol_window=vol_window,
    )
    last = np.maximum(lengths - 1, 0)
    cols = np.arange(len(usable))

    def at_last(values: FloatArray) -> FloatArray:
        return np.where(lengths > 0, values[last, cols] if len(block) else np.nan, np.nan)

    vol = m["volatility"].to_numpy()
    vol_last = at_last(vol)
    # pandas' expanding rank(method="max", pct=True) at the last bar: the share of the
    # volatilities so far (NaN left out) that are <= the last one
    seen = np.arange(len(block))[:, None] < lengths[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = ((vol <= vol_last) & seen).sum(axis=0) / (~np.isnan(vol) & seen).sum(axis=0)
    codes = _codes(
        at_last(block),
        at_last(m["sma_long"].to_numpy()),
        at_last(m["slope_short"].to_numpy()),
        np.where(np.isfinite(vol_last), pct, np.nan),
        extreme_vol_percentile=extreme_vol_percentile,
        min_slope=min_slope,
    )
    names = {REGIME_CODES[label]: label for label in LABELS}
    return [names.get(float(c)) for c in codes]
