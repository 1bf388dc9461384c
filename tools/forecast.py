"""Model training and forecasts over the feature panel of a universe.

Train: features for the universe up to ``as_of`` (cross-sectional features need the peers),
labels for the ticker, a walk-forward record (go/no-go) and a final model fitted on every row
whose label is known on ``as_of``, stored in the registry. Forecast: the newest model trained by
``as_of``, applied to the ticker's feature row on ``as_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

import pandas as pd

from data.errors import EmptyRangeError
from quant.backtest.splits import WalkForward
from quant.features import FEATURE_NAMES, build_features
from quant.models import (
    ModelCard,
    ModelRegistry,
    evaluate_walk_forward,
    fit_final,
    make_labels,
    training_set,
)
from quant.models.base import UpClassifier
from tools.context import BENCHMARK, ToolContext
from tools.evidence import Evidence, Window


# The model classes (XGBoost, scikit-learn) load when a model is built or applied, so that the
# signal with no trained model does not pay for them.
def _xgb(horizon: int) -> UpClassifier:
    from quant.models.xgb import XGBSignClassifier

    return XGBSignClassifier(purge=max(20, horizon))


def _stack(horizon: int) -> UpClassifier:
    from quant.models.ensemble import StackingEnsemble

    return StackingEnsemble(purge=max(20, horizon))


MODEL_KINDS: dict[str, Callable[[int], UpClassifier]] = {"xgb": _xgb, "stack": _stack}


class NoModelError(LookupError):
    """No trained model covers the ticker and horizon at the as-of date."""


def universe(ctx: ToolContext, ticker: str) -> list[str]:
    """The ticker and the peers its cross-sectional features compare it with."""
    listed = [t for p in ctx.market.providers for t in (p.tickers() or []) if not t.startswith("^")]
    peers = list(dict.fromkeys(listed))
    return [ticker, *(p for p in peers if p != ticker)]


def feature_panel(
    ctx: ToolContext, tickers: list[str]
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Features of ``tickers`` up to ``ctx.as_of`` and their adjusted closes. The first ticker
    is the one asked about (its errors propagate); peers without bars by then are left out, so
    the universe is point in time too. With ``ctx.memo``, built once per set of tickers (the
    panel does not depend on their order: ``build_features`` sorts them)."""
    if ctx.memo is None:
        return _feature_panel(ctx, tickers)
    key = ("feature_panel", ctx.as_of, ctx.market, frozenset(tickers))
    return ctx.memo.get(key, partial(_feature_panel, ctx, tickers))


def _feature_panel(
    ctx: ToolContext, tickers: list[str]
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    frames = {tickers[0]: ctx.bars(tickers[0]).frame}
    for peer in tickers[1:]:
        try:
            frames[peer] = ctx.bars(peer).frame
        except EmptyRangeError:
            continue
    benchmark = ctx.bars(BENCHMARK).frame
    features = build_features(frames, benchmark=benchmark, as_of=ctx.as_of)
    return features, {t: f["close"] for t, f in frames.items()}


def _rows_of(features: pd.DataFrame, ticker: str) -> pd.DataFrame:
    return features.loc[features.index.get_level_values(1) == ticker]


def train(
    ctx: ToolContext, ticker: str, *, horizons: tuple[int, ...], kind: str, created_at: datetime
) -> list[ModelCard]:
    """Walk-forward record and final model per horizon, stored in ``ctx.models_dir``."""
    if ctx.models_dir is None:
        raise ValueError("no models directory configured")
    if kind not in MODEL_KINDS:
        raise ValueError(f"unknown model kind {kind!r}: choose from {', '.join(MODEL_KINDS)}")
    features, closes = feature_panel(ctx, universe(ctx, ticker))
    rows = _rows_of(features, ticker)
    labels = make_labels({ticker: closes[ticker]}, horizons=horizons)
    registry = ModelRegistry(ctx.models_dir)
    cards = []
    for horizon in horizons:
        splitter = WalkForward(purge=max(20, horizon))
        record = evaluate_walk_forward(
            rows,
            labels,
            horizon=horizon,
            splitter=splitter,
            model_factory=partial(MODEL_KINDS[kind], horizon),
        )
        training = training_set(rows, labels, horizon=horizon, as_of=ctx.as_of)
        model = fit_final(training, model_factory=partial(MODEL_KINDS[kind], horizon))
        cards.append(
            registry.save(model, training=training, record=record, created_at=created_at).card
        )
    return cards


def forecast_evidence(ctx: ToolContext, ticker: str, *, horizon: int | None = None) -> Evidence:
    """P(up over ``horizon`` bars) from the newest model trained by ``ctx.as_of``, with its
    walk-forward record, go/no-go verdict and the features that moved the prediction most."""
    horizon = horizon or ctx.config.ml_horizon
    if ctx.models_dir is None:
        raise NoModelError("no models directory configured")
    registry = ModelRegistry(ctx.models_dir)
    try:
        card = registry.latest(ticker, horizon, as_of=ctx.as_of)
    except LookupError as err:
        raise NoModelError(
            f"{err}; train one with: signaldesk train {ticker} --end {ctx.as_of}"
        ) from None
    from quant.models.forecast import predict_proba_up

    model = registry.load(card.model_id, features=list(FEATURE_NAMES))
    features, _ = feature_panel(ctx, universe(ctx, ticker))
    rows = _rows_of(features, ticker)
    row = rows.iloc[-1]
    result = predict_proba_up(model, row, as_of=ctx.as_of)
    overall = card.record.overall
    return Evidence.make(
        kind="forecast",
        tickers=[ticker],
        as_of=ctx.as_of,
        values={
            "prob_up": result.prob_up,
            "prob_down": 1.0 - result.prob_up,  # "will it fall?" is answered in its own terms
            "horizon_days": horizon,
            "model_id": card.model_id,
            "model_kind": card.kind,
            "verdict": result.verdict,
            "leak_suspected": result.leak_suspected,
            "walk_forward": overall.model_dump(mode="json"),
            "folds": len(card.record.folds),
            "reasons": list(card.record.reasons),
            "row_date": result.row_date,
            "top_contributions": [c.model_dump(mode="json") for c in result.top_contributions],
            "train_window": [card.train_start, card.train_end],
        },
        window=Window(start=card.train_start, end=result.row_date, bars=card.n_rows),
        source={"model": card.model_id, "registry": str(ctx.models_dir)},
        summary=(
            f"{ticker} {horizon}-day model {card.model_id}: P(up) {result.prob_up:.1%} on "
            f"{result.row_date}; walk-forward accuracy {overall.accuracy:.1%} vs majority "
            f"baseline {overall.baseline_accuracy:.1%} over {len(card.record.folds)} folds: "
            f"{result.verdict}{' (probable leak)' if result.leak_suspected else ''}."
        ),
    )
