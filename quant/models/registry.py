"""A model registry in a directory the caller names: one folder per model, never overwritten.

``<root>/<model_id>/`` holds ``metadata.json`` (a ``ModelCard``: id, tickers, horizon, data
window, feature list, parameters, walk-forward record and verdict, sha256 of the training data,
library versions, created_at, sha256 of each file), each XGBoost booster as a UBJ model file
(``<name>.ubj``), and the rest of the estimator (scikit-learn parts, fitted attributes) with
joblib (``model.joblib``). Loading checks the file hashes and the caller's feature list.
joblib files are pickles: load only registries you wrote.
"""

from __future__ import annotations

import builtins
import hashlib
import platform
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from quant.models._frame import check_features
from quant.models._hashing import training_data_sha256
from quant.models.base import UpClassifier
from quant.models.errors import (
    FeatureMismatchError,
    ModelExistsError,
    ModelNotFoundError,
    RegistryCorruptError,
)
from quant.models.training import TrainingSet
from quant.models.walkforward import ModelRecord

METADATA = "metadata.json"
ESTIMATOR = "model.joblib"
_ID = re.compile(r"^[A-Za-z0-9^+_-][A-Za-z0-9^.+_-]*$")
_PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "joblib", "pydantic")


class ModelCard(BaseModel):
    """Everything known about a registered model, stored as its ``metadata.json``."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="strings")

    model_id: str
    kind: str
    tickers: tuple[str, ...]
    horizon: int
    as_of: date
    train_start: date
    train_end: date
    label_end: date
    n_rows: int
    features: tuple[str, ...]
    params: dict[str, Any]
    record: ModelRecord
    data_sha256: str
    versions: dict[str, str]
    created_at: datetime
    files: dict[str, str]


@dataclass
class RegisteredModel:
    """A fitted model with its card: what forecasts are made from."""

    card: ModelCard
    model: UpClassifier
    _checked_index: pd.Index | None = field(default=None, repr=False, compare=False)

    def check_features(self, columns: pd.Index) -> None:
        """Raise ``FeatureMismatchError`` unless ``columns`` are the model's features. An Index
        once checked is remembered, with its views (``Index.is_``: the row ``features.loc[key]``
        gets a new view of the panel's columns each time): pandas indexes are immutable."""
        if not columns.is_(self._checked_index):
            check_features(columns, self.card.features)
            self._checked_index = columns


class ModelRegistry:
    """Registered models under ``root`` (created when missing)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def save(
        self,
        model: UpClassifier,
        *,
        training: TrainingSet,
        record: ModelRecord,
        created_at: datetime,
    ) -> RegisteredModel:
        """Store ``model``, fitted on ``training``, with its walk-forward ``record``."""
        if created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        if record.horizon != training.horizon:
            raise ValueError(f"record horizon {record.horizon} != training {training.horizon}")
        check_features(training.X.columns, model.feature_names_)
        data_hash = training_data_sha256(training.X, training.y)
        model_id = _model_id(training, created_at, data_hash)
        target = self.root / model_id
        if target.exists():
            raise ModelExistsError(f"model {model_id} is already registered in {self.root}")
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        try:
            files = _write_model(model, staging)
            card = ModelCard(
                model_id=model_id,
                kind=type(model).__name__,
                tickers=training.tickers,
                horizon=training.horizon,
                as_of=training.as_of,
                train_start=training.first_date,
                train_end=training.last_date,
                label_end=training.last_label_date,
                n_rows=len(training.X),
                features=model.feature_names_,
                params=_jsonable(model.get_params(deep=False)),  # type: ignore[attr-defined]
                record=record,
                data_sha256=data_hash,
                versions=library_versions(),
                created_at=created_at,
                files=files,
            )
            (staging / METADATA).write_text(card.model_dump_json(indent=2), encoding="utf-8")
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return RegisteredModel(card=card, model=model)

    def card(self, model_id: str) -> ModelCard:
        path = self._folder(model_id) / METADATA
        if not path.is_file():
            raise ModelNotFoundError(f"no model {model_id!r} in {self.root}")
        return ModelCard.model_validate_json(path.read_text(encoding="utf-8"))

    def load(self, model_id: str, *, features: Sequence[str]) -> RegisteredModel:
        """The model ``model_id``; ``FeatureMismatchError`` unless ``features`` (names, in
        order) are the ones it was trained on, ``RegistryCorruptError`` if a file changed."""
        import joblib  # here, with xgboost: reading cards (latest, list) stays light
        import xgboost as xgb

        card = self.card(model_id)
        if tuple(features) != card.features:
            raise FeatureMismatchError(expected=card.features, got=list(features))
        folder = self._folder(model_id)
        for name, digest in card.files.items():
            path = folder / name
            if not path.is_file() or _sha256(path) != digest:
                raise RegistryCorruptError(f"{model_id}: {name} is missing or was modified")
        model = joblib.load(folder / ESTIMATOR)
        boosters = {}
        for name in card.files:
            if name.endswith(".ubj"):
                booster = xgb.Booster()
                booster.load_model(folder / name)
                boosters[name.removesuffix(".ubj")] = booster
        if boosters:
            model.attach_boosters(boosters)
        return RegisteredModel(card=card, model=model)

    def list(self) -> builtins.list[ModelCard]:
        """Cards of all registered models, oldest first."""
        if not self.root.is_dir():
            return []
        cards = [
            self.card(p.name)
            for p in self.root.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / METADATA).is_file()
        ]
        return sorted(cards, key=lambda c: (c.created_at, c.model_id))

    def latest(self, ticker: str, horizon: int, *, as_of: date | None = None) -> ModelCard:
        """The newest model covering ``ticker`` at ``horizon``; with ``as_of``, only models whose
        training data was all known on ``as_of`` (for forecasts and backtests at that date)."""
        cards = [
            c
            for c in self.list()
            if ticker in c.tickers and c.horizon == horizon and (as_of is None or c.as_of <= as_of)
        ]
        if not cards:
            when = f" trained by {as_of}" if as_of else ""
            raise ModelNotFoundError(f"no {horizon}-day model for {ticker}{when} in the registry")
        return cards[-1]

    def _folder(self, model_id: str) -> Path:
        if not _ID.match(model_id):
            raise ModelNotFoundError(f"{model_id!r} is not a model id")
        return self.root / model_id


def library_versions() -> dict[str, str]:
    import xgboost as xgb

    versions = {"python": platform.python_version(), "xgboost": xgb.__version__}
    for package in _PACKAGES:
        versions[package] = metadata.version(package)
    return versions


def _model_id(training: TrainingSet, created_at: datetime, data_hash: str) -> str:
    tickers = training.tickers
    who = "+".join(tickers) if len(tickers) <= 3 else f"{len(tickers)}tickers"
    stamp = created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{who}-h{training.horizon}-{stamp}-{data_hash[:10]}"


def _write_model(model: UpClassifier, folder: Path) -> dict[str, str]:
    import joblib

    shell, boosters = model.detach_boosters()  # type: ignore[attr-defined]
    for name, booster in boosters.items():
        booster.save_model(folder / f"{name}.ubj")
    joblib.dump(shell, folder / ESTIMATOR)
    return {p.name: _sha256(p) for p in sorted(folder.iterdir())}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON values: plain values kept, estimators and the like as their repr."""
    plain = (bool, int, float, str, type(None))
    return {k: v if isinstance(v, plain) else repr(v) for k, v in params.items()}
