"""The scores of the decision calibration, pure numpy: stated probability, Brier score, log
loss, reliability bins, a strategy's hit rate (the random baseline over many shuffles), returns by
bucket and the HOLD calls' share of quiet moves. Definitions: the docstring of
``evals.calibration.scoring``.

Arrays: ``direction`` in {-1, 0, +1} (0: no call), ``ret`` forward simple returns, ``probability``
the stated probability that the direction is right; matrices have one row per random draw.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from evals.calibration.models import (
    ActionRow,
    Bins,
    Bucket,
    BucketGroup,
    HoldScore,
    ReliabilityBin,
    StrategyScore,
)
from quant.arrays import FloatArray
from quant.signals.action import Action

__all__ = [
    "ACTIONS",
    "DIRECTION",
    "brier_score",
    "buckets",
    "by_action",
    "hold_score",
    "log_loss",
    "p_value",
    "random_score",
    "reliability",
    "stated_probability",
    "strategy_score",
]

IntMatrix = npt.NDArray[np.int64]  # (draws, calls)
FloatMatrix = npt.NDArray[np.float64]
ACTIONS = tuple(a.value for a in Action)
DIRECTION = {a.value: a.direction for a in Action}
_EPS = 1e-15


def _mean(values: FloatArray) -> float | None:
    return float(values.mean()) if values.size else None


def stated_probability(confidence: FloatArray) -> FloatArray:
    """Probability that the call's direction is right: 0.5 + 0.5 x confidence (clipped to
    [0, 1] first)."""
    return 0.5 + 0.5 * np.clip(np.asarray(confidence, dtype=np.float64), 0.0, 1.0)


def brier_score(probability: FloatArray, hit: FloatArray) -> float:
    """mean((p - hit)^2); NaN when empty."""
    p, y = np.asarray(probability, dtype=np.float64), np.asarray(hit, dtype=np.float64)
    return float(np.mean((p - y) ** 2)) if p.size else math.nan


def log_loss(probability: FloatArray, hit: FloatArray) -> float:
    """-mean(hit ln p + (1 - hit) ln(1 - p)), p clipped to [1e-15, 1 - 1e-15]; NaN when empty."""
    p = np.clip(np.asarray(probability, dtype=np.float64), _EPS, 1.0 - _EPS)
    y = np.asarray(hit, dtype=np.float64)
    if not p.size:
        return math.nan
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def _bin_edges(p: FloatArray, *, n_bins: int, bins: Bins) -> FloatArray:
    if bins == "uniform":
        return np.linspace(0.5, 1.0, n_bins + 1)
    return np.unique(np.quantile(p, np.linspace(0.0, 1.0, n_bins + 1)))


def reliability(
    probability: FloatArray, hit: FloatArray, *, n_bins: int = 5, bins: Bins = "quantile"
) -> list[ReliabilityBin]:
    """Stated probability against observed hit frequency, per bin. Quantile bins that would
    repeat an edge are merged; uniform bins are all listed, empty or not."""
    p, y = np.asarray(probability, dtype=np.float64), np.asarray(hit, dtype=np.float64)
    if not p.size:
        return []
    edges = _bin_edges(p, n_bins=n_bins, bins=bins)
    if edges.size < 2:  # every probability the same: one bin
        edges = np.array([edges[0], edges[0]])
    index = np.searchsorted(edges[1:-1], p, side="right")
    out = []
    for i in range(edges.size - 1):
        inside = index == i
        out.append(
            ReliabilityBin(
                lower=float(edges[i]),
                upper=float(edges[i + 1]),
                count=int(inside.sum()),
                mean_probability=_mean(p[inside]),
                observed=_mean(y[inside]),
            )
        )
    return out


def strategy_score(
    name: str, direction: np.ndarray, ret: FloatArray, probability: FloatArray | None
) -> StrategyScore:
    directional = direction != 0
    hit = (direction * ret > 0)[directional].astype(np.float64)
    p = None if probability is None else probability[directional]
    return StrategyScore(
        name=name,
        directional=int(directional.sum()),
        abstained=int((~directional).sum()),
        hits=int(hit.sum()),
        hit_rate=_mean(hit),
        mean_signed_return=_mean((direction * ret)[directional]),
        brier=None if p is None or not p.size else brier_score(p, hit),
        log_loss=None if p is None or not p.size else log_loss(p, hit),
    )


def random_score(direction: IntMatrix, probability: FloatMatrix, ret: FloatArray) -> StrategyScore:
    """The random baseline: one row of ``direction``/``probability`` per draw, averaged."""
    directional = direction != 0
    n = directional.sum(axis=1)
    hit = (direction * ret > 0) & directional
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = hit.sum(axis=1) / n
        signed = (direction * ret).sum(axis=1) / n
        p = np.clip(probability, _EPS, 1.0 - _EPS)
        sq = np.where(directional, (p - hit) ** 2, 0.0).sum(axis=1) / n
        nll = -np.where(directional, np.where(hit, np.log(p), np.log(1.0 - p)), 0.0).sum(axis=1) / n
    defined = n > 0

    def avg(values: FloatArray) -> float | None:
        return float(values[defined].mean()) if defined.any() else None

    return StrategyScore(
        name="random",
        directional=round(float(n.mean())) if n.size else 0,
        abstained=round(float((~directional).sum(axis=1).mean())) if n.size else 0,
        hits=round(float(hit.sum(axis=1).mean())) if n.size else 0,
        hit_rate=avg(rate),
        mean_signed_return=avg(signed),
        brier=avg(sq),
        log_loss=avg(nll),
        draws=int(direction.shape[0]),
        hit_rate_p05=float(np.quantile(rate[defined], 0.05)) if defined.any() else None,
        hit_rate_p95=float(np.quantile(rate[defined], 0.95)) if defined.any() else None,
    )


def p_value(signal: StrategyScore, direction: IntMatrix, ret: FloatArray) -> float | None:
    if signal.hit_rate is None:
        return None
    directional = direction != 0
    n = directional.sum(axis=1)
    rate = ((direction * ret > 0) & directional).sum(axis=1) / np.maximum(n, 1)
    return float(np.mean(rate >= signal.hit_rate - 1e-12))


def _bucket(group: BucketGroup, label: str, ret: FloatArray, *, draws: int = 1) -> Bucket:
    """``ret`` pooled over ``draws`` random draws counts its calls per draw (rounded)."""
    return Bucket(
        group=group,
        label=label,
        count=round(ret.size / draws),
        mean_return=_mean(ret),
        up_share=_mean((ret > 0).astype(np.float64)),
    )


def _score_quintiles(score: FloatArray, ret: FloatArray) -> list[Bucket]:
    if np.unique(score).size < 2:
        return [_bucket("score quintile", "all scores", ret)] if ret.size else []
    codes = pd.qcut(score, 5, labels=False, duplicates="drop")
    out = []
    for q in np.unique(codes):
        inside = codes == q
        lo, hi = score[inside].min(), score[inside].max()
        out.append(_bucket("score quintile", f"Q{q + 1} ({lo:.3f}-{hi:.3f})", ret[inside]))
    return out


def buckets(scored: pd.DataFrame, ret: FloatArray, random_direction: IntMatrix) -> list[Bucket]:
    actions = scored["action"].to_numpy()
    out = [_bucket("action", a, ret[actions == a]) for a in ACTIONS if (actions == a).any()]
    out += _score_quintiles(scored["score"].to_numpy(dtype=np.float64), ret)
    momentum = np.sign(scored["trailing_return"].to_numpy(dtype=np.float64))
    pooled = np.broadcast_to(ret, random_direction.shape)  # every draw's calls, pooled
    draws = random_direction.shape[0]
    out += [
        _bucket("baseline", "every call (always-buy)", ret),
        _bucket("baseline", "momentum up", ret[momentum > 0]),
        _bucket("baseline", "momentum down", ret[momentum < 0]),
        _bucket("baseline", "random buys", pooled[random_direction > 0], draws=draws),
        _bucket("baseline", "random sells", pooled[random_direction < 0], draws=draws),
    ]
    return out


def by_action(actions: np.ndarray, direction: np.ndarray, ret: FloatArray) -> list[ActionRow]:
    rows = []
    for action in ACTIONS:
        inside = actions == action
        if not inside.any():
            continue
        hits = (direction[inside] * ret[inside] > 0).astype(np.float64)
        rows.append(
            ActionRow(
                action=action,
                count=int(inside.sum()),
                hit_rate=None if DIRECTION[action] == 0 else _mean(hits),
                mean_return=_mean(ret[inside]),
            )
        )
    return rows


def hold_score(direction: np.ndarray, ret: FloatArray, *, band: float) -> HoldScore:
    hold, quiet = direction == 0, np.abs(ret) < band
    return HoldScore(
        count=int(hold.sum()),
        band=band,
        quiet_share=_mean(quiet[hold].astype(np.float64)),
        quiet_share_all=_mean(quiet.astype(np.float64)),
        mean_abs_return=_mean(np.abs(ret[hold])),
        mean_abs_return_directional=_mean(np.abs(ret[~hold])),
    )
