"""Why the XGBoost model says what it says: importance by gain, and per-prediction
contributions (exact TreeSHAP values in log-odds) that the agent cites.

For every row, the contributions of all features plus the bias equal the model's margin
(log-odds): ``sum(contributions) + bias == logit(P(up))``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb
from pydantic import BaseModel, ConfigDict

from quant.arrays import FloatArray
from quant.models._frame import as_matrix, check_features

BIAS = "bias"


class Contribution(BaseModel):
    """One feature's part in one prediction: its value and its contribution in log-odds
    (positive pushes towards "up")."""

    model_config = ConfigDict(frozen=True, ser_json_inf_nan="strings")

    feature: str
    value: float
    contribution: float


def xgb_model_of(model: Any) -> Any:
    """The fitted XGBoost model inside ``model`` (itself, an ensemble's or a calibrated model's
    XGBoost component); ``TypeError`` when there is none."""
    if getattr(model, "booster_", None) is not None:
        return model
    inner = getattr(model, "xgb_component", None)
    if inner is None or getattr(inner, "booster_", None) is None:
        raise TypeError(f"{type(model).__name__} has no fitted XGBoost component to explain")
    return inner


def gain_importance(model: Any, *, normalize: bool = True) -> pd.Series:
    """Total gain of each feature over all splits, largest first (unused features: 0).

    normalize: divide by the sum so the importances add up to 1.
    """
    xgb_model = xgb_model_of(model)
    names: tuple[str, ...] = xgb_model.feature_names_
    score = xgb_model.booster_.get_score(importance_type="total_gain")
    gains = np.zeros(len(names))
    for key, gain in score.items():
        gains[int(key.removeprefix("f"))] = float(gain)  # boosters are trained unnamed: f0, f1..
    total = gains.sum()
    if normalize and total > 0:
        gains = gains / total
    series = pd.Series(gains, index=pd.Index(names, name="feature"), name="total_gain")
    return series.sort_values(ascending=False, kind="stable")


def contributions(model: Any, X: pd.DataFrame | FloatArray) -> pd.DataFrame:
    """Per-row contributions of each feature, plus a ``bias`` column, in log-odds.

    Rows add up to the margin: ``frame.sum(axis=1) == logit(P(up))`` of the XGBoost model.
    """
    xgb_model = xgb_model_of(model)
    names: tuple[str, ...] = xgb_model.feature_names_
    data = as_matrix(X, names)
    dmatrix = xgb.DMatrix(data, nthread=xgb_model.nthread)
    values = xgb_model.booster_.predict(dmatrix, pred_contribs=True)
    index = X.index if isinstance(X, pd.DataFrame) else None
    return pd.DataFrame(np.asarray(values, dtype=np.float64), index=index, columns=[*names, BIAS])


def top_contributions(
    model: Any, row: pd.Series | FloatArray, *, k: int = 5
) -> tuple[Contribution, ...]:
    """The ``k`` largest contributions (by absolute value) to one prediction, as
    (feature, value, contribution) in log-odds, largest first; the bias is left out."""
    xgb_model = xgb_model_of(model)
    names: tuple[str, ...] = xgb_model.feature_names_
    if isinstance(row, pd.Series):
        check_features(row.index, names)
    data = as_matrix(np.asarray(row, dtype=np.float64).reshape(1, -1), names)
    contrib = contributions(xgb_model, data).to_numpy()[0, :-1]
    order = np.argsort(-np.abs(contrib), kind="stable")[:k]
    return tuple(
        Contribution(feature=names[i], value=float(data[0, i]), contribution=float(contrib[i]))
        for i in order
    )
