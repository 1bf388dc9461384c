"""Decision calibration: the briefing's stored calls scored against what happened next.

Pure: calls and close prices in, a ``CalibrationResult`` out; no I/O, no clock, the random
baseline draws from the ``rng`` it is given. Definitions, each one tested by hand:

- **Entry** of a call: the last bar with a close on or before its as-of date (a replay dated on a
  holiday saw the session before). NaN closes are dropped first: a missing price is no bar.
  Calls with no entry bar are dropped and counted (``no_price``).
- **Forward return** at horizon h: the close h bars after the entry over the entry close, minus
  one. Calls with fewer than h later bars are dropped from that horizon and counted.
- **Hit**: a buy (BUY, STRONG BUY) whose forward return is > 0, a sell (SELL, STRONG SELL) whose
  forward return is < 0; a return of exactly 0 is a miss either way. HOLD calls have no direction:
  they are left out of hit rate, Brier score and log loss and reported apart (``HoldScore``): the
  share whose |return| stays under ``hold_band * sqrt(h)``, beside that share over every scored
  call.
- **Stated probability** that the call's direction is right: ``p = 0.5 + 0.5 * confidence``. The
  signal's confidence (``quant.signals.confluence.confidence_of``) is conviction x agreement x
  coverage in [0, 1]: 0 when the score sits at 0.5 or nothing agrees (no view: a coin flip, p =
  0.5), 1 for a score at 0 or 1 with every part agreeing and every part available (certainty, p =
  1). The map is linear in between. It is a reading we declare, not a fit: confidence was not built
  as a probability, and the reliability curve measures how well this reading holds.
- **Brier score** mean((p - hit)^2) and **log loss** -mean(hit ln p + (1 - hit) ln(1 - p)), p
  clipped to [1e-15, 1 - 1e-15], over directional calls. A coin flip scores 0.25 and ln 2 ≈ 0.693.
- **Reliability curve**: stated probabilities in bins (``quantile``: equal-count bins, the default,
  as the stated probabilities crowd near 0.5; ``uniform``: equal-width bins over [0.5, 1]); each bin
  has its count, mean stated probability and observed hit frequency. Bins are [lower, upper), the
  last one closed.
- **Baselines**, on the same calls (dates and tickers) and horizons: always-buy; momentum, the sign
  of the trailing ``lookback``-bar return at the entry bar (entry close over the close ``lookback``
  bars before; no direction when there is too little history or it is exactly 0), which reads
  nothing after the entry; random, the signal's own (action, probability) pairs shuffled across the
  calls with ``rng`` (the same action mix and the same stated probabilities, with no information),
  ``draws`` times: its row is the mean over the draws with the 5th-95th percentile of its hit rate,
  and ``hit_rate_p_value`` is the share of draws whose hit rate is at least the signal's (a
  one-sided permutation test of "the calls carry no information about the direction").
- **Buckets**: average forward return (and the share of rises) by action, by quintile of the score,
  and for the baselines (every call = always-buy, momentum up / down, random buys / sells).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evals.calibration.models import (
    ActionRow,
    Bins,
    Bucket,
    CalibrationInputError,
    CalibrationResult,
    HoldScore,
    HorizonResult,
    ReliabilityBin,
    StrategyScore,
)
from evals.calibration.scores import (
    ACTIONS,
    DIRECTION,
    IntMatrix,
    brier_score,
    buckets,
    by_action,
    hold_score,
    log_loss,
    p_value,
    random_score,
    reliability,
    stated_probability,
    strategy_score,
)
from quant.arrays import FloatArray

__all__ = [
    "HORIZONS",
    "ActionRow",
    "Bucket",
    "CalibrationInputError",
    "CalibrationResult",
    "HoldScore",
    "HorizonResult",
    "ReliabilityBin",
    "StrategyScore",
    "brier_score",
    "calibrate",
    "join_outcomes",
    "log_loss",
    "reliability",
    "stated_probability",
]

HORIZONS = (1, 5, 20)
_CALL_COLUMNS = ("ticker", "as_of", "action", "confidence", "score")


def _checked_calls(calls: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _CALL_COLUMNS if c not in calls.columns]
    if missing:
        raise CalibrationInputError(f"calls lack column(s) {', '.join(missing)}")
    unknown = sorted(set(calls["action"]) - set(ACTIONS))
    if unknown:
        raise CalibrationInputError(f"unknown action(s) {', '.join(map(str, unknown))}")
    frame = calls.loc[:, list(_CALL_COLUMNS)].copy()
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    if frame.duplicated(["ticker", "as_of"]).any():
        raise CalibrationInputError("more than one call for the same ticker and date")
    return frame.sort_values(["as_of", "ticker"], kind="stable").reset_index(drop=True)


def _ticker_outcomes(
    as_of: pd.Series, close: pd.Series, *, horizons: Sequence[int], lookback: int
) -> pd.DataFrame:
    """Entry close, trailing and forward returns of one ticker's calls (vectorised)."""
    clean = close.dropna().sort_index()
    days = pd.DatetimeIndex(clean.index).to_numpy()
    values = clean.to_numpy(dtype=np.float64)
    pos = np.searchsorted(days, as_of.to_numpy(dtype="datetime64[ns]"), side="right") - 1
    padded = np.append(values, np.nan)  # index -1 and past-the-end read the NaN

    def at(offset: int) -> FloatArray:
        target = pos + offset
        ok = (pos >= 0) & (target >= 0) & (target < values.size)
        return padded[np.where(ok, target, -1)]

    entry = at(0)
    out = {"entry_close": entry, "trailing_return": entry / at(-lookback) - 1.0}
    out |= {f"fwd_{h}": at(h) / entry - 1.0 for h in horizons}
    return pd.DataFrame(out, index=as_of.index)


def join_outcomes(
    calls: pd.DataFrame,
    closes: Mapping[str, pd.Series],
    *,
    horizons: Sequence[int] = HORIZONS,
    lookback: int = 20,
) -> pd.DataFrame:
    """Each call (columns ticker, as_of, action, score, confidence) with its direction, stated
    probability, entry close, trailing ``lookback``-bar return and ``fwd_{h}`` forward returns
    (NaN where there is no entry or too few later bars). ``closes``: close prices per ticker,
    indexed by date; a ticker missing from it has no entry."""
    frame = _checked_calls(calls)
    frame["direction"] = frame["action"].map(DIRECTION).astype(np.int64)
    frame["probability"] = stated_probability(frame["confidence"].to_numpy(dtype=np.float64))
    empty = pd.Series(dtype=np.float64, index=pd.DatetimeIndex([]))
    parts = [
        _ticker_outcomes(
            group["as_of"], closes.get(str(ticker), empty), horizons=horizons, lookback=lookback
        )
        for ticker, group in frame.groupby("ticker", sort=False)
    ]
    columns = ["entry_close", "trailing_return", *(f"fwd_{h}" for h in horizons)]
    outcomes = pd.concat(parts) if parts else pd.DataFrame(columns=columns, dtype=np.float64)
    return frame.join(outcomes)


def _horizon(
    priced: pd.DataFrame,
    shuffles: IntMatrix,
    *,
    horizon: int,
    hold_band: float,
    n_bins: int,
    bins: Bins,
) -> HorizonResult:
    """Scores at one horizon; ``shuffles``: one permutation of the priced calls per draw."""
    mask = priced[f"fwd_{horizon}"].notna().to_numpy()
    scored = priced[mask]
    ret = scored[f"fwd_{horizon}"].to_numpy(dtype=np.float64)
    direction = scored["direction"].to_numpy()
    probability = scored["probability"].to_numpy(dtype=np.float64)
    momentum = np.nan_to_num(np.sign(scored["trailing_return"].to_numpy(dtype=np.float64)))
    rand_direction = priced["direction"].to_numpy()[shuffles][:, mask]
    rand_probability = priced["probability"].to_numpy(dtype=np.float64)[shuffles][:, mask]
    signal = strategy_score("signal", direction, ret, probability)
    directional = direction != 0
    hit = (direction * ret > 0)[directional].astype(np.float64)
    return HorizonResult(
        horizon=horizon,
        scored=len(scored),
        dropped=len(priced) - len(scored),
        strategies=[
            signal,
            strategy_score("always_buy", np.ones_like(direction), ret, None),
            strategy_score("momentum", momentum.astype(np.int64), ret, None),
            random_score(rand_direction, rand_probability, ret),
        ],
        hit_rate_p_value=p_value(signal, rand_direction, ret),
        by_action=by_action(scored["action"].to_numpy(), direction, ret),
        hold=hold_score(direction, ret, band=hold_band * math.sqrt(horizon)),
        reliability=reliability(probability[directional], hit, n_bins=n_bins, bins=bins),
        buckets=buckets(scored, ret, rand_direction),
    )


def calibrate(
    calls: pd.DataFrame,
    closes: Mapping[str, pd.Series],
    *,
    rng: np.random.Generator,
    horizons: Sequence[int] = HORIZONS,
    lookback: int = 20,
    hold_band: float = 0.01,
    n_bins: int = 5,
    bins: Bins = "quantile",
    draws: int = 1000,
) -> CalibrationResult:
    """Score ``calls`` (columns ticker, as_of, action, score, confidence; one per ticker and
    date) against the ``closes`` that followed, beside the baselines (module docstring)."""
    if not horizons or min(horizons) < 1:
        raise CalibrationInputError("horizons must be whole numbers of bars >= 1")
    if min(lookback, n_bins, draws) < 1:
        raise CalibrationInputError("lookback, n_bins and draws must be >= 1")
    joined = join_outcomes(calls, closes, horizons=horizons, lookback=lookback)
    priced = joined[joined["entry_close"].notna()]
    shuffles = rng.permuted(np.tile(np.arange(len(priced)), (draws, 1)), axis=1)
    days = joined["as_of"]
    return CalibrationResult(
        calls=len(joined),
        no_price=len(joined) - len(priced),
        tickers=sorted(joined["ticker"].unique().tolist()),
        start=days.min().date() if len(days) else None,
        end=days.max().date() if len(days) else None,
        bins=bins,
        lookback=lookback,
        hold_band=hold_band,
        draws=draws,
        horizons=[
            _horizon(priced, shuffles, horizon=h, hold_band=hold_band, n_bins=n_bins, bins=bins)
            for h in sorted(set(horizons))
        ],
    )
