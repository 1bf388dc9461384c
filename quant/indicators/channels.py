"""Price channels built from rolling highs and lows: Ichimoku and Donchian, on TA-Lib.

Each Ichimoku line is TA-Lib's ``MIDPRICE`` (the midpoint of the highest high and the lowest
low of its window); the Donchian bands are ``MAX`` of the highs and ``MIN`` of the lows, and
their midpoint is taken from the two bands.

Point in time: every value at bar ``t`` uses only bars ``<= t``. Ichimoku's leading spans
(senkou A and B) are conventionally *plotted* ``displacement`` bars ahead; here they are
reported at the bar where they become known (``ichimoku_senkou_*``), and the cloud that is
drawn at bar ``t`` (the spans computed ``displacement`` bars earlier) is reported separately
(``ichimoku_cloud_*``). The lagging span (chikou) is today's close drawn in the past, so it adds
nothing point in time and is not reported.

Inputs: contiguous float64 arrays of equal length with no NaN (TA-Lib skips leading NaNs only).
"""

from __future__ import annotations

import numpy as np
import talib

from quant.arrays import FloatArray

TENKAN, KIJUN, SENKOU_B, DISPLACEMENT = 9, 26, 52, 26
DONCHIAN = 20


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


ICHIMOKU_COLUMNS = _ichimoku_names(TENKAN, KIJUN)
DONCHIAN_COLUMNS = _donchian_names(DONCHIAN)
CHANNEL_COLUMNS: tuple[str, ...] = ICHIMOKU_COLUMNS + DONCHIAN_COLUMNS


def _lag_into(out: FloatArray, x: FloatArray, periods: int) -> None:
    """``out[i] = x[i - periods]``, NaN before."""
    out[:periods] = np.nan
    if periods < len(x):
        out[periods:] = x[: len(x) - periods]


def _ichimoku_into(
    high: FloatArray, low: FloatArray, out: FloatArray, windows: tuple[int, int, int], shift: int
) -> None:
    """The six Ichimoku lines into the rows of ``out``, in ``_ichimoku_names`` order."""
    tenkan, kijun, senkou_b = windows
    out[0] = talib.MIDPRICE(high, low, timeperiod=tenkan)
    out[1] = talib.MIDPRICE(high, low, timeperiod=kijun)
    np.add(out[0], out[1], out=out[2])
    out[2] *= 0.5
    out[3] = talib.MIDPRICE(high, low, timeperiod=senkou_b)
    _lag_into(out[4], out[2], shift)
    _lag_into(out[5], out[3], shift)


def _donchian_into(high: FloatArray, low: FloatArray, out: FloatArray, period: int) -> None:
    """Upper, lower and mid band into the rows of ``out``."""
    out[0] = talib.MAX(high, timeperiod=period)
    out[1] = talib.MIN(low, timeperiod=period)
    np.add(out[0], out[1], out=out[2])  # MIDPRICE(period), exactly, without a third pass
    out[2] *= 0.5


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
    out = np.empty((6, len(high)))
    _ichimoku_into(high, low, out, (tenkan, kijun, senkou_b), displacement)
    return dict(zip(_ichimoku_names(tenkan, kijun), out, strict=True))


def donchian(high: FloatArray, low: FloatArray, *, period: int = DONCHIAN) -> dict[str, FloatArray]:
    """Donchian channel: highest high and lowest low of the last ``period`` bars (the current
    bar included) and their midpoint."""
    out = np.empty((3, len(high)))
    _donchian_into(high, low, out, period)
    return dict(zip(_donchian_names(period), out, strict=True))


def channel_indicators(high: FloatArray, low: FloatArray, out: FloatArray) -> None:
    """Ichimoku (9/26/52, displaced 26) and Donchian (20) into the rows of ``out``, in
    ``CHANNEL_COLUMNS`` order."""
    _ichimoku_into(high, low, out[:6], (TENKAN, KIJUN, SENKOU_B), DISPLACEMENT)
    _donchian_into(high, low, out[6:], DONCHIAN)
