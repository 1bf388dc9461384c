"""The model forecast the agent's tool calls: P(up) for one (date, ticker) row, with the
model's id, its walk-forward record and verdict, and the features that drove the prediction."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from pydantic import BaseModel, ConfigDict

from quant.models.errors import LookAheadError
from quant.models.importance import Contribution, top_contributions
from quant.models.metrics import Verdict
from quant.models.registry import RegisteredModel
from quant.models.walkforward import ModelRecord


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
    card = model.card
    row_date, ticker = _row_key(features_row.name)
    if row_date > as_of:
        raise LookAheadError(f"the features row is dated {row_date}, after as_of {as_of}")
    if card.as_of > as_of:
        raise LookAheadError(
            f"model {card.model_id} was trained on data known on {card.as_of}, after as_of {as_of}"
        )
    model.check_features(features_row.index)
    x = features_row.to_numpy().reshape(1, -1)  # the model makes it float64 (no copy if it is)
    prob = float(model.model.predict_proba(x)[0])
    contributions = top_contributions(model.model, x, k=top_k) if top_k > 0 else ()
    return ForecastResult(
        model_id=card.model_id,
        ticker=ticker,
        row_date=row_date,
        as_of=as_of,
        horizon=card.horizon,
        prob_up=prob,
        top_contributions=contributions,
        verdict=card.record.verdict,
        leak_suspected=card.record.leak_suspected,
        in_sample=row_date <= card.train_end,
        record=card.record,
    )


def _row_key(name: object) -> tuple[date, str | None]:
    """(date, ticker) from a row's name: a (date, ticker) tuple or a bare date."""
    ticker = None
    if isinstance(name, tuple):
        name, ticker = name[0], str(name[1])
    if isinstance(name, datetime):  # pd.Timestamp included
        return name.date(), ticker
    if isinstance(name, date):
        return name, ticker
    raise ValueError(
        f"cannot tell the date of a features row named {name!r}: pass features.loc[(date, ticker)]"
    )
