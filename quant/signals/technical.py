"""The technical score: RSI, MACD, moving averages and Bollinger bands mapped to [0, 1].

Every number comes from ``SignalConfig`` (``technical_rules``, ``technical_weights``,
``technical_thresholds``). Components, each in [0, 1]:

- RSI: ``clip((rsi_center - RSI) / rsi_span, 0, 1)`` (70 -> 0, 30 -> 1).
- MACD: ``macd_bull`` when the MACD line is above its signal line, else ``macd_bear``.
- Moving averages, graded: the fraction f of the three bullish relations close > SMA fast,
  SMA fast > SMA slow and close > SMA slow that hold (a tie counts half), mapped to
  ``ma_bear + (ma_bull - ma_bear) * f``: 0.8 for close > SMA50 > SMA200, 0.2 for
  close < SMA50 < SMA200, 0.4 or 0.6 for the mixed orderings.
- Bollinger: ``bb_below`` when the close is below the lower band, ``bb_above`` above the upper
  band, ``bb_inside`` otherwise (on a band counts as inside).

Score = sum(weight * component) / sum(weights), rounded to 12 decimals so that float noise
cannot move a score across a threshold; the action is ``classify(score, thresholds)``.
``technical_score`` (one date, bars on or before it) and ``technical_score_series`` (every
bar, vectorised) agree exactly. ``timeframe_consensus`` compares daily and weekly scores.
The component rules live in ``_technical_rules`` and are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import talib

from core.asof import up_to
from quant.arrays import FloatArray
from quant.indicators import (
    OHLCV,
    WARMUP,
    DataWindow,
    InsufficientDataError,
    ohlcv_arrays,
    require_history,
    weekly_bars,
)
from quant.signals._technical_rules import (
    COMPONENTS,
    bollinger_component,
    combine,
    component_scores,
    macd_component,
    moving_average_component,
    rsi_component,
)
from quant.signals.action import Action, classify
from quant.signals.config import SignalConfig, TechnicalRules

__all__ = [
    "COMPONENTS",
    "DEFAULT_CONFIG",
    "WEEKLY_WARMUP",
    "Component",
    "Consensus",
    "TechnicalScore",
    "bollinger_component",
    "combine",
    "macd_component",
    "moving_average_component",
    "required_warmup",
    "rsi_component",
    "technical_score",
    "technical_score_series",
    "timeframe_consensus",
    "weekly_bars",
    "weekly_config",
]

DEFAULT_CONFIG = SignalConfig()
WEEKLY_WARMUP = 52


def required_warmup(rules: TechnicalRules) -> int:
    """The longest TA-Lib lookback of the rules: the smallest warm-up with no NaN after it."""
    macd = max(rules.macd_fast, rules.macd_slow) + rules.macd_signal - 2
    return max(rules.rsi_period, macd, rules.sma_fast - 1, rules.sma_slow - 1, rules.bb_period - 1)


def _check_warmup(warmup: int, rules: TechnicalRules) -> None:
    needed = required_warmup(rules)
    if warmup < needed:
        raise ValueError(
            f"warmup {warmup} is shorter than the rules' longest lookback ({needed} bars): "
            f"use warmup >= {needed}"
        )


def _inputs(bars: OHLCV, rules: TechnicalRules) -> dict[str, FloatArray]:
    c = bars.close
    macd, signal, _ = talib.MACD(
        c, fastperiod=rules.macd_fast, slowperiod=rules.macd_slow, signalperiod=rules.macd_signal
    )
    upper, middle, lower = talib.BBANDS(
        c, timeperiod=rules.bb_period, nbdevup=rules.bb_stdev, nbdevdn=rules.bb_stdev
    )
    return {
        "close": c,
        "rsi": talib.RSI(c, timeperiod=rules.rsi_period),
        "macd": macd,
        "macd_signal": signal,
        "sma_fast": talib.SMA(c, timeperiod=rules.sma_fast),
        "sma_slow": talib.SMA(c, timeperiod=rules.sma_slow),
        "bb_lower": lower,
        "bb_middle": middle,
        "bb_upper": upper,
    }


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Component:
    """One component: its sub-score in [0, 1], its weight and the indicator values behind it."""

    score: float
    weight: float
    inputs: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        return {"score": self.score, "weight": self.weight, "inputs": dict(self.inputs)}


@dataclass(frozen=True, slots=True)
class TechnicalScore:
    """The technical score at the last bar on or before ``as_of`` (``bar_date``)."""

    as_of: date
    bar_date: date
    window: DataWindow
    warmup: int
    score: float
    action: Action
    components: dict[str, Component]
    config_fingerprint: str

    def to_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "bar_date": self.bar_date.isoformat(),
            "window": self.window.to_dict(),
            "warmup": self.warmup,
            "score": self.score,
            "action": self.action.value,
            "components": {k: c.to_dict() for k, c in self.components.items()},
            "config_fingerprint": self.config_fingerprint,
        }


def _component_inputs(x: Mapping[str, float], rules: TechnicalRules) -> dict[str, dict[str, float]]:
    r = rules
    return {
        "rsi": {f"rsi_{r.rsi_period}": x["rsi"]},
        "macd": {
            f"macd_{r.macd_fast}_{r.macd_slow}": x["macd"],
            f"macd_signal_{r.macd_signal}": x["macd_signal"],
        },
        "moving_averages": {
            "close": x["close"],
            f"sma_{r.sma_fast}": x["sma_fast"],
            f"sma_{r.sma_slow}": x["sma_slow"],
        },
        "bollinger": {
            "close": x["close"],
            "bb_lower": x["bb_lower"],
            "bb_middle": x["bb_middle"],
            "bb_upper": x["bb_upper"],
        },
    }


def technical_score(
    bars: pd.DataFrame,
    *,
    as_of: date,
    config: SignalConfig = DEFAULT_CONFIG,
    warmup: int = WARMUP,
) -> TechnicalScore:
    """The technical score at the last bar on or before ``as_of``, from bars ``<= as_of`` only.

    Raises ``InsufficientDataError`` when fewer than ``warmup + 1`` bars exist up to ``as_of``,
    ``ValueError`` when ``warmup`` is shorter than the rules' longest lookback.
    """
    rules = config.technical_rules
    _check_warmup(warmup, rules)
    upto = up_to(bars, as_of=as_of)
    window = require_history(upto, as_of=as_of, warmup=warmup)
    last = {k: float(v[-1]) for k, v in _inputs(ohlcv_arrays(upto), rules).items()}
    parts = {k: float(v) for k, v in component_scores(last, rules).items()}
    score = float(combine(parts, weights=config.technical_weights))
    inputs = _component_inputs(last, rules)
    weights = config.technical_weights
    return TechnicalScore(
        as_of=as_of,
        bar_date=window.last,
        window=window,
        warmup=warmup,
        score=score,
        action=classify(score, config.technical_thresholds),
        components={
            k: Component(score=parts[k], weight=float(getattr(weights, k)), inputs=inputs[k])
            for k in COMPONENTS
        },
        config_fingerprint=config.fingerprint(),
    )


def technical_score_series(
    bars: pd.DataFrame, *, config: SignalConfig = DEFAULT_CONFIG, warmup: int = WARMUP
) -> pd.DataFrame:
    """The score and its four components for every bar (columns ``score`` + ``COMPONENTS``).

    Vectorised; NaN for the first ``warmup`` bars; equal to ``technical_score`` at every date.
    """
    rules = config.technical_rules
    _check_warmup(warmup, rules)
    parts = component_scores(_inputs(ohlcv_arrays(bars), rules), rules)
    score = combine(parts, weights=config.technical_weights)
    block = np.stack([score, *(parts[k] for k in COMPONENTS)])
    block[:, :warmup] = np.nan
    return pd.DataFrame(block.T, index=bars.index, columns=["score", *COMPONENTS], copy=False)


# -- weekly bars and the daily/weekly consensus ----------------------------------------------


def weekly_config(config: SignalConfig) -> SignalConfig:
    """``config`` for weekly bars: SMA periods in weeks (days / 5, rounded up: 50/200 -> 10/40).

    RSI, MACD and Bollinger periods are kept in bars, as weekly charts conventionally do; a
    200-week SMA would need four years of warm-up.
    """
    rules = config.technical_rules
    weekly = rules.model_copy(
        update={
            "sma_fast": math.ceil(rules.sma_fast / 5),
            "sma_slow": math.ceil(rules.sma_slow / 5),
        }
    )
    return config.model_copy(update={"technical_rules": weekly})


@dataclass(frozen=True, slots=True)
class Consensus:
    """Daily and weekly technical scores at one date; ``agree``: same direction (buy/sell/hold).

    Each score says which warm-up (in its own bars) and which configuration it used.
    """

    as_of: date
    daily: TechnicalScore
    weekly: TechnicalScore
    agree: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "daily": self.daily.to_dict(),
            "weekly": self.weekly.to_dict(),
            "agree": self.agree,
        }


def timeframe_consensus(
    bars: pd.DataFrame,
    *,
    as_of: date,
    config: SignalConfig = DEFAULT_CONFIG,
    warmup: int = WARMUP,
    weekly_warmup: int = WEEKLY_WARMUP,
    weekly: SignalConfig | None = None,
) -> Consensus:
    """Daily score (``warmup`` days) and weekly score (``weekly_warmup`` weeks) at ``as_of``.

    weekly: the configuration for weekly bars; default ``weekly_config(config)``. Raises
    ``InsufficientDataError`` when either timeframe lacks history up to ``as_of``.
    """
    weekly = weekly or weekly_config(config)
    scores = {}
    for name, frame, cfg, wu in [
        ("daily", bars, config, warmup),
        ("weekly", weekly_bars(up_to(bars, as_of=as_of)), weekly, weekly_warmup),
    ]:
        try:
            scores[name] = technical_score(frame, as_of=as_of, config=cfg, warmup=wu)
        except InsufficientDataError as err:
            raise InsufficientDataError(
                f"{name}: {err}", needed=err.needed, available=err.available
            ) from err
    daily, week = scores["daily"], scores["weekly"]
    agree = daily.action.direction == week.action.direction
    return Consensus(as_of=as_of, daily=daily, weekly=week, agree=agree)
