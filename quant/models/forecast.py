"""The model forecast the agent's tool calls: P(up) for one (date, ticker) row, with the
model's id, its walk-forward record and verdict, and the features that drove the prediction.

Two entry points: ``predict_proba_up`` takes a row of the feature panel (a named
``pd.Series``); ``predict_row`` takes the same row as a numpy array with its date and ticker,
and is the hot path: the look-ahead checks are two date comparisons, an XGBoost model is asked
through its booster's ``inplace_predict`` directly, and the result is built without
re-validating values that are already typed.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from quant.arrays import FloatArray
from quant.models.base import UpClassifier
from quant.models.errors import FeatureMismatchError, LookAheadError
from quant.models.importance import Contribution, top_contributions
from quant.models.metrics import Verdict
from quant.models.registry import ModelCard, RegisteredModel
from quant.models.walkforward import ModelRecord
from quant.models.xgb import XGBSignClassifier


class ForecastResult(BaseModel):
    """One model forecast.

    prob_up: P(forward return over ``horizon`` bars > 0). top_contributions: the features that
    moved this prediction most, in log-odds (of the XGBoost model or component; empty when
    ``top_k`` is 0 or the model has none). verdict/leak_suspected/record: the walk-forward
    evidence; a NO-GO model's forecast must not enter the signal. in_sample: the row's date lies
    inside the training window, so this is not a genuine forecast.
    """

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")

    model_id: str
    ticker: str | None
    row_date: date
    as_of: date
    horizon: int
    prob_up: float
    top_contributions: tuple[Contribution, ...]
    verdict: Verdict
    leak_suspected: bool
    in_sample: bool
    record: ModelRecord


def predict_proba_up(
    model: RegisteredModel, features_row: pd.Series, *, as_of: date, top_k: int = 5
) -> ForecastResult:
    """Forecast from one row of the feature panel, e.g. ``features.loc[(day, ticker)]``.

    features_row: the model's features in its order, named (date, ticker) as ``.loc`` names it.
    as_of: the decision date; ``LookAheadError`` when the row is dated after it or the model was
    trained on labels not yet known on it. ``FeatureMismatchError`` when the features differ.
    """
    row_date, ticker = _row_key(features_row.name)
    _check_look_ahead(model.card, row_date, as_of)
    model.check_features(features_row.index)
    return predict_row(
        model, features_row.to_numpy(), row_date=row_date, ticker=ticker, as_of=as_of, top_k=top_k
    )


def predict_row(
    model: RegisteredModel,
    x: FloatArray,
    *,
    row_date: date,
    ticker: str | None,
    as_of: date,
    top_k: int = 0,
) -> ForecastResult:
    """Forecast from one feature row as an array: the hot path of ``predict_proba_up``.

    x: shape (n_features,) or (1, n_features), the model's features in the order of
    ``model.card.features`` (not checked by name: an array has none); converted to a contiguous
    float64 row only when it is not one already. row_date: the row's bar date (a ``date``, not
    a ``datetime``); ticker: its ticker, or None. as_of, top_k: as for ``predict_proba_up``,
    except that no contributions are computed by default. ``LookAheadError`` as there,
    ``FeatureMismatchError`` when ``x`` has the wrong width.
    """
    card = model.card
    _check_look_ahead(card, row_date, as_of)
    row = np.ascontiguousarray(x, dtype=np.float64)  # the same array when it already is one
    n_features = len(card.features)
    if row.ndim not in (1, 2) or row.shape[-1] != n_features or row.size != n_features:
        width = row.shape[-1] if row.ndim else 0
        raise FeatureMismatchError(
            expected=card.features, got=[f"column {i}" for i in range(width)]
        )
    row = row.reshape(1, n_features)
    contributions = top_contributions(model.model, row, k=top_k) if top_k > 0 else ()
    record = card.record
    return ForecastResult.model_construct(  # every field typed here: nothing left to validate
        model_id=card.model_id,
        ticker=ticker,
        row_date=row_date,
        as_of=as_of,
        horizon=card.horizon,
        prob_up=_prob_up(model.model, row),
        top_contributions=contributions,
        verdict=record.verdict,
        leak_suspected=record.leak_suspected,
        in_sample=row_date <= card.train_end,
        record=record,
    )


def _check_look_ahead(card: ModelCard, row_date: date, as_of: date) -> None:
    if row_date > as_of:
        raise LookAheadError(f"the features row is dated {row_date}, after as_of {as_of}")
    if card.as_of > as_of:
        raise LookAheadError(
            f"model {card.model_id} was trained on data known on {card.as_of}, after as_of {as_of}"
        )


def _prob_up(model: UpClassifier, row: FloatArray) -> float:
    """P(up) of one row, shape (1, n_features), already checked against the model's width."""
    booster = getattr(model, "booster_", None)
    if type(model) is XGBSignClassifier and booster is not None:
        # what XGBSignClassifier.predict_proba computes, without its width check and frame
        # handling (done above): the booster's float32 output, as a Python float
        return float(booster.inplace_predict(row, validate_features=False)[0])
    return float(model.predict_proba(row)[0])


def _row_key(name: object) -> tuple[date, str | None]:
    """(date, ticker) from a row's name: a (date, ticker) tuple or a bare date."""
    ticker = None
    if isinstance(name, tuple):
        ticker = str(name[1])
        name = name[0]
    if isinstance(name, datetime):  # pd.Timestamp included
        return name.date(), ticker
    if isinstance(name, date):
        return name, ticker
    raise ValueError(
        f"cannot tell the date of a features row named {name!r}: pass features.loc[(date, ticker)]"
    )
