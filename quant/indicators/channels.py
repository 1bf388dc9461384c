"""Price channels built from rolling highs and lows: Ichimoku and Donchian.

Point in time: every value at bar ``t`` uses only bars ``<= t``. Ichimoku's leading spans
(senkou A and B) are conventionally *plotted* ``displacement`` bars ahead; here they are
reported at the bar where they become known (``ichimoku_senkou_*``), and the cloud that is
drawn at bar ``t`` (the spans computed ``displacement`` bars earlier) is reported separately
(``ichimoku_cloud_*``). The lagging span (chikou) is today's close drawn in the past, so it adds
nothing point in time and is not reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from quant._types import FloatArray
from quant.indicators._rolling import rolling_extrema_into
from quant.indicators.inputs import Rows

TENKAN, KIJUN, SENKOU_B, DISPLACEMENT = 9, 26, 52, 26
DONCHIAN = 20


def _extremes(high: FloatArray, low: FloatArray, windows: Sequence[int]) -> FloatArray:
    """Per window, ``[highest high, -lowest low]``: shape (len(windows), 2, n), one pass over
    ``[high, -low]`` (the rolling max of -low is minus the rolling min of low)."""
    pair = np.empty((2, len(high)))
    pair[0] = high
    np.negative(low, out=pair[1])
    out = np.empty((len(windows), *pair.shape))
    rolling_extrema_into(out, pair, windows, np.maximum)
    return out


def _midpoint(extremes: FloatArray, out: FloatArray) -> FloatArray:
    np.subtract(extremes[0], extremes[1], out=out)  # highest high + lowest low
    out *= 0.5
    return out


def _lag_into(out: FloatArray, x: FloatArray, periods: int) -> None:
    out[:periods] = np.nan
    if periods < len(x):
        out[periods:] = x[: len(x) - periods]


def _ichimoku_names(tenkan: int, kijun: int) -> tuple[str, ...]:
    return (
        f"ichimoku_tenkan_{tenkan}",
        f"ichimoku_kijun_{kijun}",
        "ichimoku_senkou_a",
        "ichimoku_senkou_b",
        "ichimoku_cloud_a",
        "ichimoku_cloud_b",
    )


def _donchian_names(period: int) -> tuple[str, ...]:
    return (f"donchian_upper_{period}", f"donchian_lower_{period}", f"donchian_mid_{period}")


def _ichimoku_into(extremes: FloatArray, out: Rows, names: tuple[str, ...], shift: int) -> None:
    tenkan, kijun, span_a, span_b, cloud_a, cloud_b = (out[name] for name in names)
    _midpoint(extremes[0], tenkan)
    _midpoint(extremes[1], kijun)
    _midpoint(extremes[2], span_b)
    np.add(tenkan, kijun, out=span_a)
    span_a *= 0.5
    _lag_into(cloud_a, span_a, shift)
    _lag_into(cloud_b, span_b, shift)


def _donchian_into(extremes: FloatArray, out: Rows, names: tuple[str, ...]) -> None:
    upper, lower, mid = (out[name] for name in names)
    upper[:] = extremes[0]
    np.negative(extremes[1], out=lower)
    _midpoint(extremes, mid)


def ichimoku(
    high: FloatArray,
    low: FloatArray,
    *,
    tenkan: int = TENKAN,
    kijun: int = KIJUN,
    senkou_b: int = SENKOU_B,
    displacement: int = DISPLACEMENT,
) -> dict[str, FloatArray]:
    """Ichimoku lines, each the midpoint of the highest high and lowest low of its window.

    tenkan: window ``tenkan`` (9); kijun: window ``kijun`` (26); senkou A: (tenkan + kijun)/2;
    senkou B: window ``senkou_b`` (52); all as known at each bar. cloud A/B: senkou A/B from
    ``displacement`` bars earlier, i.e. the cloud drawn at the bar.
    """
    names = _ichimoku_names(tenkan, kijun)
    out = {name: np.empty_like(high) for name in names}
    _ichimoku_into(_extremes(high, low, (tenkan, kijun, senkou_b)), out, names, displacement)
    return out


def donchian(high: FloatArray, low: FloatArray, *, period: int = DONCHIAN) -> dict[str, FloatArray]:
    """Donchian channel: highest high and lowest low of the last ``period`` bars (the current
    bar included) and their midpoint."""
    names = _donchian_names(period)
    out = {name: np.empty_like(high) for name in names}
    _donchian_into(_extremes(high, low, (period,))[0], out, names)
    return out


def channel_indicators(high: FloatArray, low: FloatArray, out: Rows) -> None:
    """Ichimoku (9/26/52, displaced 26) and Donchian (20) from one set of rolling extrema,
    written into ``out`` (column name -> row of the output block)."""
    extremes = _extremes(high, low, (TENKAN, KIJUN, SENKOU_B, DONCHIAN))
    _ichimoku_into(extremes[:3], out, _ichimoku_names(TENKAN, KIJUN), DISPLACEMENT)
    _donchian_into(extremes[3], out, _donchian_names(DONCHIAN))
