"""Drift at an as-of date: of each model in use (its input features and predicted probabilities
over the recent window vs its training window) and of the data behind it (staleness, gaps,
quarantined bars).

- **Model drift** (``model_drift``): the training window is rebuilt point in time, as
  ``tools.forecast.train`` built it on the card's as-of date (the same feature panel, labels
  and rows); its sha256 is checked against the card's (``reference_verified``: False when the
  data or the source changed since). The recent window is the last ``window_days`` feature
  rows up to ``as_of``, from data up to ``as_of`` only. Calendar features (month, day of week)
  are not compared: over a short window they change with the season, not with the market.
  The model's P(up) is compared the same way: over the training window its in-sample
  predictions, over the recent window its forecasts. The statistics: ``quant.drift``.
- **Data quality** (``data_quality``): per ticker, from the bars (and quality report) the data
  service serves up to ``as_of``: days since the last bar, sessions missing from the exchange
  calendar and bars quarantined, within the last ``window_days`` bars.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from data.errors import DataError
from quant.drift import KS_PVALUE, PSI_SIGNIFICANT, DriftRow, feature_drift, prediction_drift
from quant.features import FEATURE_GROUPS
from quant.models import (
    ModelCard,
    ModelError,
    ModelRegistry,
    make_labels,
    training_data_sha256,
    training_set,
)
from tools._quality import TickerQuality, data_quality, first_line
from tools.context import ToolContext
from tools.forecast import feature_panel, universe

__all__ = [
    "NOT_COMPARED",
    "DriftReport",
    "ModelDrift",
    "TickerQuality",
    "data_quality",
    "drift_report",
    "model_drift",
    "models_in_use",
]

NOT_COMPARED = FEATURE_GROUPS["calendar"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ModelDrift(_Frozen):
    """One model's drift. features: a row per compared feature, in the model's order;
    drifted_features: the names of the drifted ones, largest PSI first; probability: the drift
    of its P(up); drifted: any feature or the probability drifted. recent_in_training: recent
    rows dated inside the training window (the windows overlap when as_of is soon after it)."""

    model_id: str
    kind: str
    tickers: tuple[str, ...]
    horizon: int
    trained_as_of: date
    train_start: date
    train_end: date
    reference_rows: int
    reference_verified: bool
    recent_start: date
    recent_end: date
    recent_rows: int
    recent_in_training: int
    features: tuple[DriftRow, ...]
    not_compared: tuple[str, ...]
    probability: DriftRow
    drifted_features: tuple[str, ...]
    drifted: bool


class DriftReport(_Frozen):
    """Drift of the models in use and of their data at ``as_of``; ``failed``: model id -> why
    its drift could not be computed."""

    as_of: date
    window_days: int
    psi_threshold: float
    ks_pvalue: float
    stale_after_days: int
    models: tuple[ModelDrift, ...]
    failed: dict[str, str]
    data: tuple[TickerQuality, ...]


def models_in_use(
    registry: ModelRegistry, *, as_of: date, tickers: Sequence[str] | None = None
) -> list[ModelCard]:
    """The model a forecast on ``as_of`` uses per slot (tickers, horizon): its champion at
    ``as_of`` (``ModelRegistry.champions``; challengers not promoted by then are not in use),
    optionally only those covering one of ``tickers``."""
    cards = [
        c
        for c in registry.champions(as_of=as_of).values()
        if tickers is None or set(c.tickers) & set(tickers)
    ]
    return sorted(cards, key=lambda c: (c.tickers, c.horizon))


def _rows(panel: pd.DataFrame, tickers: Sequence[str]) -> pd.DataFrame:
    return panel.loc[panel.index.get_level_values(1).isin(list(tickers))]


def _panel_tickers(ctx: ToolContext, card: ModelCard) -> list[str]:
    peers = universe(ctx, card.tickers[0])
    return [*card.tickers, *(t for t in peers if t not in card.tickers)]


def _recent(rows: pd.DataFrame, window_days: int) -> pd.DataFrame:
    dates = pd.DatetimeIndex(rows.index.get_level_values(0).unique()).sort_values()
    if dates.empty:
        raise DataError("no feature rows in the recent window")
    cut = dates[max(0, len(dates) - window_days)]
    return rows.loc[rows.index.get_level_values(0) >= cut]


def model_drift(
    ctx: ToolContext,
    card: ModelCard,
    *,
    window_days: int,
    psi_threshold: float = PSI_SIGNIFICANT,
    ks_pvalue: float = KS_PVALUE,
) -> ModelDrift:
    """Drift of ``card``'s model at ``ctx.as_of`` (module doc). ``ModelError`` when the model
    cannot be loaded with its features, ``DataError`` when its bars cannot be read,
    ``ValueError`` when its training window cannot be rebuilt."""
    if ctx.models_dir is None:
        raise ValueError("no models directory configured")
    if card.as_of > ctx.as_of:
        raise ValueError(f"model {card.model_id} was trained on {card.as_of}, after {ctx.as_of}")
    then = dataclasses.replace(ctx, as_of=card.as_of)
    panel, closes = feature_panel(then, _panel_tickers(then, card))
    labels = make_labels({t: closes[t] for t in card.tickers}, horizons=(card.horizon,))
    training = training_set(
        _rows(panel, card.tickers), labels, horizon=card.horizon, as_of=card.as_of
    )
    verified = training_data_sha256(training.X, training.y) == card.data_sha256
    reference = training.X.sort_index(level=[1, 0])  # one series per ticker, oldest first
    now, _ = feature_panel(ctx, _panel_tickers(ctx, card))
    recent = _recent(_rows(now, card.tickers), window_days).sort_index(level=[1, 0])
    model = ModelRegistry(ctx.models_dir).load(card.model_id, features=card.features).model
    features = list(card.features)
    rows = feature_drift(
        reference,
        recent,
        features=[f for f in features if f not in NOT_COMPARED],
        psi_threshold=psi_threshold,
        ks_pvalue=ks_pvalue,
    )
    probability = prediction_drift(
        model.predict_proba(reference[features]),
        model.predict_proba(recent[features]),
        psi_threshold=psi_threshold,
        ks_pvalue=ks_pvalue,
    )
    drifted = sorted((r for r in rows if r.drifted), key=lambda r: -(r.psi or 0.0))
    recent_dates = pd.DatetimeIndex(recent.index.get_level_values(0))
    return ModelDrift(
        model_id=card.model_id,
        kind=card.kind,
        tickers=card.tickers,
        horizon=card.horizon,
        trained_as_of=card.as_of,
        train_start=card.train_start,
        train_end=card.train_end,
        reference_rows=len(reference),
        reference_verified=verified,
        recent_start=recent_dates.min().date(),
        recent_end=recent_dates.max().date(),
        recent_rows=len(recent),
        recent_in_training=int((recent_dates <= pd.Timestamp(card.train_end)).sum()),
        features=rows,
        not_compared=tuple(f for f in features if f in NOT_COMPARED),
        probability=probability,
        drifted_features=tuple(r.feature for r in drifted),
        drifted=bool(drifted) or probability.drifted,
    )


def drift_report(
    ctx: ToolContext,
    *,
    window_days: int,
    stale_after_days: int,
    psi_threshold: float = PSI_SIGNIFICANT,
    ks_pvalue: float = KS_PVALUE,
    tickers: Sequence[str] | None = None,
    data_tickers: Sequence[str] = (),
    models: Literal["in_use", "all"] = "in_use",
) -> DriftReport:
    """Drift at ``ctx.as_of`` of the models in use (``models="all"``: every model trained by
    then), only those on ``tickers`` when given, and the data quality of ``tickers`` (default:
    the models' tickers) and of ``data_tickers``."""
    if window_days < 2:
        raise ValueError(f"window_days must be >= 2, got {window_days}")
    ctx = ctx.with_memo()  # models of one ticker share their feature panels
    cards: list[ModelCard] = []
    if ctx.models_dir is not None:
        registry = ModelRegistry(ctx.models_dir)
        if models == "all":
            cards = [c for c in registry.list() if c.as_of <= ctx.as_of]
            cards = [c for c in cards if tickers is None or set(c.tickers) & set(tickers)]
        else:
            cards = models_in_use(registry, as_of=ctx.as_of, tickers=tickers)
    done: list[ModelDrift] = []
    failed: dict[str, str] = {}
    for card in cards:
        try:
            done.append(
                model_drift(
                    ctx,
                    card,
                    window_days=window_days,
                    psi_threshold=psi_threshold,
                    ks_pvalue=ks_pvalue,
                )
            )
        except (DataError, ModelError, ValueError) as err:
            failed[card.model_id] = first_line(err)
    names = list(tickers) if tickers is not None else [t for c in cards for t in c.tickers]
    names += data_tickers
    quality = [
        data_quality(
            ctx.market,
            name,
            as_of=ctx.as_of,
            window_days=window_days,
            stale_after_days=stale_after_days,
        )
        for name in dict.fromkeys(names)
    ]
    return DriftReport(
        as_of=ctx.as_of,
        window_days=window_days,
        psi_threshold=psi_threshold,
        ks_pvalue=ks_pvalue,
        stale_after_days=stale_after_days,
        models=tuple(done),
        failed=failed,
        data=tuple(quality),
    )
