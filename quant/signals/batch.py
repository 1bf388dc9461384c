"""The technical score of many tickers at one date, in two steps.

``technical_inputs`` cuts one ticker's bars at the as-of date and checks them exactly as
``technical_score`` does (same errors, same order), so that a caller can report a ticker with
too little history on its own; ``technical_scores`` then computes the indicators of every
ticker (TA-Lib, one C call per indicator and ticker, the rules' periods) and scores the
components of all tickers at once. ``technical_scores(
[technical_inputs(bars, as_of=d)])[0]`` equals ``technical_score(bars, as_of=d)``, field for
field: the same indicator calls on the same bars, the same component rules and the same
combination, applied elementwise to arrays of one value per ticker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from core.asof import up_to
from quant.indicators import OHLCV, WARMUP, DataWindow, ohlcv_arrays, require_history
from quant.signals._technical_rules import COMPONENTS, combine, component_scores
from quant.signals.action import classify
from quant.signals.config import SignalConfig
from quant.signals.technical import (
    DEFAULT_CONFIG,
    Component,
    TechnicalScore,
    _check_warmup,
    _component_inputs,
    _inputs,
)

__all__ = ["TechnicalInputs", "technical_inputs", "technical_scores"]


@dataclass(frozen=True, slots=True)
class TechnicalInputs:
    """One ticker's bars on or before ``as_of``, validated: what ``technical_scores`` reads."""

    as_of: date
    window: DataWindow
    warmup: int
    bars: OHLCV


def technical_inputs(
    bars: pd.DataFrame,
    *,
    as_of: date,
    config: SignalConfig = DEFAULT_CONFIG,
    warmup: int = WARMUP,
) -> TechnicalInputs:
    """``bars`` cut at ``as_of`` and checked as ``technical_score`` checks them.

    Raises ``ValueError`` when ``warmup`` is shorter than the rules' longest lookback,
    ``InsufficientDataError`` when fewer than ``warmup + 1`` bars exist up to ``as_of`` and
    ``InvalidBarsError`` for malformed bars.
    """
    _check_warmup(warmup, config.technical_rules)
    upto = up_to(bars, as_of=as_of)
    window = require_history(upto, as_of=as_of, warmup=warmup)
    return TechnicalInputs(as_of=as_of, window=window, warmup=warmup, bars=ohlcv_arrays(upto))


def technical_scores(
    inputs: Sequence[TechnicalInputs], *, config: SignalConfig = DEFAULT_CONFIG
) -> list[TechnicalScore]:
    """The technical score of every ticker of ``inputs``, in order (see the module docstring).

    Raises ``ValueError`` when an input's warm-up is shorter than ``config``'s rules need.
    """
    rules = config.technical_rules
    for item in inputs:
        _check_warmup(item.warmup, rules)
    if not inputs:
        return []
    rows = [{k: v[-1] for k, v in _inputs(item.bars, rules).items()} for item in inputs]
    last = {k: np.array([row[k] for row in rows], dtype=np.float64) for k in rows[0]}
    parts = component_scores(last, rules)
    scores = combine(parts, weights=config.technical_weights)
    weights = {k: float(getattr(config.technical_weights, k)) for k in COMPONENTS}
    fingerprint = config.fingerprint()
    out = []
    for i, item in enumerate(inputs):
        values = {k: float(v[i]) for k, v in last.items()}
        inputs_of = _component_inputs(values, rules)
        score = float(scores[i])
        out.append(
            TechnicalScore(
                as_of=item.as_of,
                bar_date=item.window.last,
                window=item.window,
                warmup=item.warmup,
                score=score,
                action=classify(score, config.technical_thresholds),
                components={
                    k: Component(score=float(parts[k][i]), weight=weights[k], inputs=inputs_of[k])
                    for k in COMPONENTS
                },
                config_fingerprint=fingerprint,
            )
        )
    return out
