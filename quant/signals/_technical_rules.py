"""The technical score's component rules and how they combine (private; re-exported by
``quant.signals.technical``).

Every rule is vectorised, NaN in -> NaN out, and takes its numbers from ``TechnicalRules``;
scalars give 0-d arrays. ``technical_score`` (one bar) and ``technical_score_series`` (every
bar) both go through these functions, so they agree exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from quant.arrays import FloatArray
from quant.signals.config import TechnicalRules, TechnicalWeights

COMPONENTS: tuple[str, ...] = ("rsi", "macd", "moving_averages", "bollinger")
SCORE_DECIMALS = 12
_ArrayLike = npt.ArrayLike


def rsi_component(rsi: _ArrayLike, *, rules: TechnicalRules) -> FloatArray:
    """``clip((rsi_center - rsi) / rsi_span, 0, 1)``."""
    return np.clip((rules.rsi_center - np.asarray(rsi, dtype=np.float64)) / rules.rsi_span, 0, 1)


def macd_component(macd: _ArrayLike, signal: _ArrayLike, *, rules: TechnicalRules) -> FloatArray:
    """``macd_bull`` where MACD > signal, else ``macd_bear`` (a tie is not bullish)."""
    m, s = np.asarray(macd, dtype=np.float64), np.asarray(signal, dtype=np.float64)
    out = np.where(m > s, rules.macd_bull, rules.macd_bear)
    return np.where(np.isnan(m - s), np.nan, out)


def moving_average_component(
    close: _ArrayLike, sma_fast: _ArrayLike, sma_slow: _ArrayLike, *, rules: TechnicalRules
) -> FloatArray:
    """``ma_bear + (ma_bull - ma_bear) * f``, f = share of the three bullish relations that hold.

    Relations: close > fast, fast > slow, close > slow; each counts 1 when it holds, 1/2 on a
    tie, 0 otherwise (``(sign(a - b) + 1) / 2``).
    """
    c, f, s = (np.asarray(x, dtype=np.float64) for x in (close, sma_fast, sma_slow))
    bullish = (np.sign(c - f) + np.sign(f - s) + np.sign(c - s) + 3.0) / 6.0
    return rules.ma_bear + (rules.ma_bull - rules.ma_bear) * bullish


def bollinger_component(
    close: _ArrayLike, lower: _ArrayLike, upper: _ArrayLike, *, rules: TechnicalRules
) -> FloatArray:
    """``bb_below`` under the lower band, ``bb_above`` over the upper band, else ``bb_inside``."""
    c, lo, up = (np.asarray(x, dtype=np.float64) for x in (close, lower, upper))
    out = np.where(c < lo, rules.bb_below, np.where(c > up, rules.bb_above, rules.bb_inside))
    return np.where(np.isnan(c + lo + up), np.nan, out)


def component_scores(x: Mapping[str, _ArrayLike], rules: TechnicalRules) -> dict[str, FloatArray]:
    """Every component from the indicator values ``x`` (close, rsi, macd, macd_signal,
    sma_fast, sma_slow, bb_lower, bb_upper), keyed by ``COMPONENTS``."""
    return {
        "rsi": rsi_component(x["rsi"], rules=rules),
        "macd": macd_component(x["macd"], x["macd_signal"], rules=rules),
        "moving_averages": moving_average_component(
            x["close"], x["sma_fast"], x["sma_slow"], rules=rules
        ),
        "bollinger": bollinger_component(x["close"], x["bb_lower"], x["bb_upper"], rules=rules),
    }


def combine(components: Mapping[str, _ArrayLike], *, weights: TechnicalWeights) -> FloatArray:
    """``sum(weight * component) / sum(weights)`` over ``COMPONENTS``, rounded to 12 decimals.

    Raises ``ValueError`` when the weights sum to zero.
    """
    w = {name: float(getattr(weights, name)) for name in COMPONENTS}
    total = sum(w.values())
    if total <= 0:
        raise ValueError("technical weights sum to zero: give at least one component a weight")
    # A weightless component is left out, so its NaN cannot poison the score.
    score = sum(w[n] * np.asarray(components[n], dtype=np.float64) for n in COMPONENTS if w[n])
    return np.round(np.asarray(score) / total, SCORE_DECIMALS)
