"""The track record of recorded calls: rolling hit rates, Brier score and log loss, beside the
always-buy and momentum baselines on the same calls.

Pure: a frame of calls in, a ``TrackRecord`` out, as known at ``as_of`` (an outcome dated after
``as_of`` counts as pending). Per group of calls (``by``: any of ``KEYS``):

- **Windows**: the last ``last`` resolved calls (by outcome date, then call date), the calls
  resolved in the last ``days`` calendar days (outcome date in (as_of - days, as_of]), and all.
- **Hit rate**: the share of hits among the window's calls that have a direction (HOLD calls
  are counted in ``calls`` but state no direction and are left out; see ``quant.track.outcomes``).
- **Baselines, on the same calls** (same tickers, dates and horizons, HOLD calls included):
  always-buy, the share of positive forward returns; momentum, the hit rate of the sign of the
  trailing 20-bar return at the entry (no direction when it is NaN or 0: left out).
- **Brier score and log loss** only where a probability is stated (``prob_up``, a model's
  probability of a rise), against the event "the forward return is > 0". The confluence score
  is not a probability (it was never calibrated to one), so a call with only a score has none.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from quant.arrays import FloatArray

__all__ = ["KEYS", "TrackRecord", "TrackRow", "WindowScore", "score_window", "track_record"]

KEYS = ("source", "config_hash", "model_id", "horizon_days", "ticker", "action")
_COLUMNS = (
    *KEYS,
    "as_of",
    "outcome_date",
    "outcome_return",
    "trailing_return_20",
    "hit",
    "prob_up",
)
_EPS = 1e-15


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WindowScore(_Frozen):
    """Scores of one window of resolved calls; None where undefined (no call to score)."""

    calls: int
    directional: int
    hit_rate: float | None
    always_buy: float | None
    momentum: float | None
    momentum_calls: int
    stated: int
    brier: float | None
    log_loss: float | None
    mean_return: float | None


class TrackRow(_Frozen):
    """One group's record; a key it is not grouped by is None."""

    source: str | None = None
    config_hash: str | None = None
    model_id: str | None = None
    horizon_days: int | None = None
    ticker: str | None = None
    action: str | None = None
    calls: int
    pending: int
    windows: dict[str, WindowScore]


class TrackRecord(_Frozen):
    as_of: date
    by: tuple[str, ...]
    last: int
    days: tuple[int, ...]
    calls: int
    pending: int
    resolved: int
    rows: list[TrackRow]


def _mean(values: FloatArray) -> float | None:
    return float(values.mean()) if values.size else None


def score_window(
    *, returns: FloatArray, hit: FloatArray, trailing: FloatArray, prob_up: FloatArray
) -> WindowScore:
    """Scores of resolved calls: ``returns`` forward returns, ``hit`` 1/0/NaN (NaN: no
    direction), ``trailing`` the 20-bar returns at entry, ``prob_up`` stated probabilities of a
    rise (NaN: none stated). All of shape (n_calls,)."""
    ret = np.asarray(returns, dtype=np.float64)
    hit = np.asarray(hit, dtype=np.float64)
    momentum = np.sign(np.asarray(trailing, dtype=np.float64))
    p = np.asarray(prob_up, dtype=np.float64)
    directional = ~np.isnan(hit)
    has_momentum = ~np.isnan(momentum) & (momentum != 0)
    stated = ~np.isnan(p)
    up = (ret[stated] > 0).astype(np.float64)
    clipped = np.clip(p[stated], _EPS, 1.0 - _EPS)
    return WindowScore(
        calls=int(ret.size),
        directional=int(directional.sum()),
        hit_rate=_mean(hit[directional]),
        always_buy=_mean((ret > 0).astype(np.float64)),
        momentum=_mean((momentum * ret > 0)[has_momentum].astype(np.float64)),
        momentum_calls=int(has_momentum.sum()),
        stated=int(stated.sum()),
        brier=_mean((p[stated] - up) ** 2),
        log_loss=_mean(-(up * np.log(clipped) + (1.0 - up) * np.log1p(-clipped))),
        mean_return=_mean(ret),
    )


def _score(frame: pd.DataFrame) -> WindowScore:
    return score_window(
        returns=frame["outcome_return"].to_numpy(dtype=np.float64),
        hit=frame["hit"].to_numpy(dtype=np.float64),
        trailing=frame["trailing_return_20"].to_numpy(dtype=np.float64),
        prob_up=frame["prob_up"].to_numpy(dtype=np.float64),
    )


def _windows(
    resolved: pd.DataFrame, *, as_of: pd.Timestamp, last: int, days: Sequence[int]
) -> dict[str, WindowScore]:
    out = {f"last_{last}": _score(resolved.tail(last))}
    for span in days:
        recent = resolved["outcome_date"] > as_of - pd.Timedelta(days=span)
        out[f"{span}d"] = _score(resolved[recent])
    out["all"] = _score(resolved)
    return out


def _prepared(calls: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    missing = [c for c in _COLUMNS if c not in calls.columns]
    if missing:
        raise ValueError(f"calls lack column(s) {', '.join(missing)}")
    frame = calls.loc[:, list(_COLUMNS)].copy()
    for name in ("as_of", "outcome_date"):
        frame[name] = pd.to_datetime(frame[name])
    frame = frame[frame["as_of"] <= as_of]
    known = frame["outcome_date"].notna() & (frame["outcome_date"] <= as_of)
    frame["known"] = known
    hit = frame["hit"].map({True: 1.0, False: 0.0})  # also 1 and 0; None: NaN
    frame["hit"] = hit.where(known).astype(np.float64)
    frame["outcome_return"] = frame["outcome_return"].astype(np.float64).where(known)
    return frame.sort_values(["outcome_date", "as_of"], kind="stable")


def _key_value(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if isinstance(value, np.integer) else value


def track_record(
    calls: pd.DataFrame,
    *,
    as_of: date,
    by: Sequence[str] = KEYS,
    last: int = 100,
    days: Sequence[int] = (30, 90),
) -> TrackRecord:
    """The track record at ``as_of`` of ``calls`` (the columns of ``predictions``: the ``KEYS``,
    as_of, outcome_date, outcome_return, trailing_return_20, hit, prob_up), one row per group of
    ``by`` (sorted), windows ``last_{last}``, ``{d}d`` for each of ``days``, and ``all``."""
    unknown = [k for k in by if k not in KEYS]
    if unknown or not by or len(set(by)) != len(by):
        raise ValueError(f"by must be distinct names among {', '.join(KEYS)}, got {list(by)}")
    if last < 1 or any(d < 1 for d in days):
        raise ValueError("last and days must be >= 1")
    day = pd.Timestamp(as_of)
    frame = _prepared(calls, day)
    rows = []
    for key, group in frame.groupby(list(by), dropna=False, sort=True):
        values = key if isinstance(key, tuple) else (key,)
        resolved = group[group["known"]]
        rows.append(
            TrackRow.model_validate(
                {k: _key_value(v) for k, v in zip(by, values, strict=True)}
                | {
                    "calls": len(group),
                    "pending": len(group) - len(resolved),
                    "windows": _windows(resolved, as_of=day, last=last, days=days),
                }
            )
        )
    return TrackRecord(
        as_of=as_of,
        by=tuple(by),
        last=last,
        days=tuple(days),
        calls=len(frame),
        pending=int((~frame["known"]).sum()),
        resolved=int(frame["known"].sum()),
        rows=rows,
    )
