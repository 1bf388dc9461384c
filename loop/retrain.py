"""Retrain a slot's model under the policy: a challenger trained on data up to the as-of date,
promoted over the champion only when it is GO and beats the champion's live record.

A slot is a ticker's model at one horizon (``IBM-h5``). On ``ctx.as_of``:

1. **Train the challenger** exactly as ``signaldesk train`` trains (``tools.forecast``: the
   universe's feature panel, labels, the final fit on every row whose label is known), except
   that its walk-forward record covers the last ``record_months`` of rows (recent folds are
   what a promotion is about; the whole history is still what the final model is fitted on).
2. **Compare on the most recent out-of-sample window**: the slot's live forecasts (the calls
   the loop recorded for it, whatever model was champion then) resolved by ``as_of`` over the
   last ``compare_days`` trading days, against the challenger's walk-forward out-of-sample
   P(up) on the same dates, both scored against the same outcome (the forward return > 0).
   Neither side saw those outcomes when it predicted them.
3. **Decide** (``quant.track.policy.challenger_wins``): promoted only if GO and better;
   otherwise the champion stays and the reason is kept. The first model of a slot becomes its
   champion whatever its verdict (its forecasts are tracked; the signal leaves a NO-GO model's
   part out).

Every outcome, promoted or not, is returned as a ``RetrainResult`` for the caller to record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

import numpy as np
import pandas as pd

from quant.backtest.splits import WalkForward
from quant.models import (
    ModelCard,
    ModelNotFoundError,
    ModelRegistry,
    Scores,
    evaluate_walk_forward,
    fit_final,
    make_labels,
    training_set,
)
from quant.models.metrics import score
from quant.track.policy import Promotion, RetrainPolicy, Trigger, challenger_wins
from tools.context import ToolContext
from tools.forecast import MODEL_KINDS, feature_panel, universe

__all__ = ["RetrainResult", "live_window", "retrain_slot", "slot_name"]


def slot_name(ticker: str, horizon: int) -> str:
    """The slot of ``ticker``'s single-ticker model at ``horizon`` (``IBM-h5``)."""
    return f"{ticker}-h{horizon}"


@dataclass(frozen=True)
class RetrainResult:
    """One retrain: the challenger (None when training failed), the champion it challenged, the
    scores both had on the comparison rows, and the decision."""

    as_of: date
    slot: str
    trigger: Trigger
    challenger: ModelCard | None
    champion_id: str | None
    promoted: bool
    reason: str
    champion_scores: Scores | None = None
    challenger_scores: Scores | None = None

    @property
    def outcome(self) -> str:
        if self.challenger is None:
            return "failed"
        return "promoted" if self.promoted else "kept"


def live_window(calls: pd.DataFrame, *, as_of: date, days: int) -> pd.DataFrame:
    """The resolved live forecasts among ``calls`` (the columns of ``PredictionStore.calls``:
    one slot's forecast calls) whose outcome was known on ``as_of``, over their last ``days``
    call dates; one row per call date (the newest call of a date kept)."""
    known = calls[
        calls["prob_up"].notna()
        & calls["outcome_date"].notna()
        & (calls["outcome_date"] <= pd.Timestamp(as_of))
    ]
    known = known.sort_values(["as_of", "id"]).drop_duplicates("as_of", keep="last")
    dates = known["as_of"].drop_duplicates().sort_values()
    return known[known["as_of"].isin(dates.tail(days))].reset_index(drop=True)


def _compare(
    live: pd.DataFrame, oos: pd.DataFrame | None, *, ticker: str
) -> tuple[Scores, Scores] | None:
    """The live forecasts and the challenger's out-of-sample P(up) scored on their common dates
    against the live calls' outcomes; None when they share no date."""
    if oos is None or oos.empty or live.empty:
        return None
    mine = oos.xs(ticker, level=1) if isinstance(oos.index, pd.MultiIndex) else oos
    common = pd.DatetimeIndex(live["as_of"]).intersection(pd.DatetimeIndex(mine.index))
    if common.empty:
        return None
    rows = live.set_index("as_of").loc[common]
    y = (rows["outcome_return"].to_numpy(dtype=np.float64) > 0).astype(np.float64)
    baseline = float(mine["baseline"].iloc[-1])
    champion = score(rows["prob_up"].to_numpy(dtype=np.float64), y, baseline=baseline)
    challenger = score(mine.loc[common, "prob_up"].to_numpy(dtype=np.float64), y, baseline=baseline)
    return champion, challenger


def retrain_slot(
    ctx: ToolContext,
    ticker: str,
    *,
    horizon: int,
    kind: str,
    trigger: Trigger,
    live_calls: pd.DataFrame,
    policy: RetrainPolicy,
    compare_days: int,
    record_months: int,
    created_at: datetime,
) -> RetrainResult:
    """Train a challenger for ``ticker``'s ``horizon`` model at ``ctx.as_of``, compare it with
    the champion's live record (``live_calls``: the slot's recorded forecasts) and promote it
    when the policy says so (module doc)."""
    if ctx.models_dir is None:
        raise ValueError("no models directory configured")
    registry = ModelRegistry(ctx.models_dir)
    slot = slot_name(ticker, horizon)
    try:
        champion: ModelCard | None = registry.champion(slot, as_of=ctx.as_of)
    except ModelNotFoundError:
        champion = None
    features, closes = feature_panel(ctx, universe(ctx, ticker))
    rows = features.loc[features.index.get_level_values(1) == ticker]
    labels = make_labels({ticker: closes[ticker]}, horizons=(horizon,))
    factory = partial(MODEL_KINDS[kind], horizon)
    since = pd.Timestamp(ctx.as_of) - pd.DateOffset(months=record_months)
    recent = rows.loc[rows.index.get_level_values(0) >= since]
    record = evaluate_walk_forward(
        recent,
        labels,
        horizon=horizon,
        splitter=WalkForward(purge=max(20, horizon)),
        model_factory=factory,
    )
    training = training_set(rows, labels, horizon=horizon, as_of=ctx.as_of)
    model = fit_final(training, model_factory=factory)
    card = registry.save(
        model,
        training=training,
        record=record,
        created_at=created_at,
        parent=None if champion is None else champion.model_id,
        challenger=champion is not None,
    ).card
    if champion is None:
        return RetrainResult(
            as_of=ctx.as_of,
            slot=slot,
            trigger=trigger,
            challenger=card,
            champion_id=None,
            promoted=True,
            reason=f"first model of the slot ({record.verdict} on its walk-forward)",
        )
    compared = _compare(
        live_window(live_calls, as_of=ctx.as_of, days=compare_days),
        record.predictions,
        ticker=ticker,
    )
    if compared is None:
        decision = Promotion(promote=False, reason="no live forecasts to compare with yet")
        champ_scores = chall_scores = None
    else:
        champ_scores, chall_scores = compared
        decision = challenger_wins(
            champion=champ_scores,
            challenger=chall_scores,
            verdict=record.verdict,
            min_rows=policy.min_rows,
        )
    if decision.promote:
        registry.promote(card.model_id, as_of=ctx.as_of, at=created_at, reason=decision.reason)
    return RetrainResult(
        as_of=ctx.as_of,
        slot=slot,
        trigger=trigger,
        challenger=card,
        champion_id=champion.model_id,
        promoted=decision.promote,
        reason=decision.reason,
        champion_scores=champ_scores,
        challenger_scores=chall_scores,
    )
