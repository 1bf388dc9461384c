"""A model registry in a directory the caller names: one folder per model, never overwritten.

``<root>/<model_id>/`` holds ``metadata.json`` (a ``ModelCard``: id, tickers, horizon, data
window, feature list, parameters, walk-forward record and verdict, sha256 of the training data,
library versions, created_at, sha256 of each file), each XGBoost booster as a UBJ model file
(``<name>.ubj``), and the rest of the estimator (scikit-learn parts, fitted attributes) with
joblib (``model.joblib``). Loading checks the file hashes and the caller's feature list.
joblib files are pickles: load only registries you wrote.

The model in use per slot (tickers, horizon) is its champion (``quant.models.champions``): a
model registered as a challenger (``save(challenger=True)``, with the champion it challenges as
``parent``) is in use only once ``promote``-d; ``rollback`` returns to the champion before;
both append to ``<root>/champions.jsonl``. ``latest`` gives the champion at a date.
"""

from __future__ import annotations

import builtins
import functools
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
from quant.models.champions import (
    CHAMPIONS,
    ChampionEvent,
    ChampionLog,
    champions_at,
    check_log,
    promotion,
    reigning,
    rollback_event,
    slot_of,
    timeline,
)
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

__all__ = ["CHAMPIONS", "ChampionEvent", "ModelCard", "ModelRegistry", "RegisteredModel", "slot_of"]


class ModelCard(BaseModel):
    """Everything known about a registered model, stored as its ``metadata.json``.

    parent: the champion in use when this model was trained to challenge it (lineage), if any;
    challenger: registered as a challenger, in use only once promoted. Cards written before
    these fields read as champions without a parent."""

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
    parent: str | None = None
    challenger: bool = False


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
        parent: str | None = None,
        challenger: bool = False,
    ) -> RegisteredModel:
        """Store ``model``, fitted on ``training``, with its walk-forward ``record``: a champion
        from ``training.as_of``, or with ``challenger`` one in use only once promoted.
        ``parent``: a registered model it descends from (the champion it challenges)."""
        if created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        if parent is not None:
            self.card(parent)  # ModelNotFoundError: lineage names registered models only
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
                parent=parent,
                challenger=challenger,
            )
            (staging / METADATA).write_text(card.model_dump_json(indent=2), encoding="utf-8")
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return RegisteredModel(card=card, model=model)

    def card(self, model_id: str) -> ModelCard:
        path = self._folder(model_id) / METADATA
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise ModelNotFoundError(f"no model {model_id!r} in {self.root}") from None
        return _read_card(path, stat.st_mtime_ns, stat.st_size)

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
        """The model in use for ``ticker`` at ``horizon``: the champion of the slots covering
        them (of several, the one whose champion came last); with ``as_of``, the champion at
        ``as_of``, among models whose training data was all known then (for forecasts and
        backtests at that date). Without challengers or promotions: the newest model."""
        cards, events = self._timeline()
        slots = {slot_of(c) for c in cards.values() if ticker in c.tickers and c.horizon == horizon}
        event = reigning(events, slots, as_of)
        if event is None:
            when = f" trained by {as_of}" if as_of else ""
            raise ModelNotFoundError(f"no {horizon}-day model for {ticker}{when} in the registry")
        return cards[event.model_id]

    def slots(self) -> builtins.list[str]:
        """The slots of the registered models, sorted."""
        return sorted({slot_of(c) for c in self.list()})

    def champion(self, slot: str, *, as_of: date | None = None) -> ModelCard:
        """The champion of ``slot`` at ``as_of`` (None: after every event)."""
        return self.card(self.champion_event(slot, as_of=as_of).model_id)

    def champions(self, *, as_of: date | None = None) -> dict[str, ModelCard]:
        """The champion of every slot that has one at ``as_of``, by slot, sorted."""
        cards, events = self._timeline()
        return {s: cards[e.model_id] for s, e in sorted(champions_at(events, as_of).items())}

    def champion_event(self, slot: str, *, as_of: date | None = None) -> ChampionEvent:
        """The event that made ``slot``'s champion at ``as_of`` (its ``as_of``: since when)."""
        event = reigning(self._timeline()[1], slot, as_of)
        if event is None:
            when = f" at {as_of}" if as_of else ""
            raise ModelNotFoundError(f"no champion of {slot}{when} in {self.root}")
        return event

    def history(self, slot: str | None = None) -> builtins.list[ChampionEvent]:
        """Every change of ``slot``'s champion (None: of every slot), implicit and logged, in
        order (as decided; at a date, the last one effective by then is the champion)."""
        return [e for e in self._timeline()[1] if slot is None or e.slot == slot]

    def promote(self, model_id: str, *, as_of: date, at: datetime, reason: str) -> ChampionEvent:
        """Make ``model_id`` its slot's champion from ``as_of``, decided at ``at`` (aware), and
        log it (``champions.promotion`` says when it cannot be)."""
        _check_aware(at)
        card = self.card(model_id)
        return self._log().append(
            lambda logged: promotion(
                self._timeline(logged)[1], card, as_of=as_of, at=at, reason=reason
            )
        )

    def rollback(self, slot: str, *, as_of: date, at: datetime, reason: str) -> ModelCard:
        """Return ``slot`` from ``as_of`` to the champion before its champion then, decided at
        ``at`` (aware), and log it; the card of the model returned to
        (``champions.rollback_event`` says when it cannot be)."""
        _check_aware(at)
        event = self._log().append(
            lambda logged: rollback_event(
                self._timeline(logged)[1], slot, as_of=as_of, at=at, reason=reason
            )
        )
        return self.card(event.model_id)

    def _log(self) -> ChampionLog:
        return ChampionLog(self.root / CHAMPIONS)

    def _timeline(
        self, logged: builtins.list[ChampionEvent] | None = None
    ) -> tuple[dict[str, ModelCard], builtins.list[ChampionEvent]]:
        """The cards by id and the timeline of the cards and the log (``logged``: as read).
        The log is read first: a line names a model registered before it was written.
        ``RegistryCorruptError`` when a line names a model not registered, or of another slot."""
        if logged is None:
            logged = self._log().read()
        cards = {c.model_id: c for c in self.list()}
        check_log(logged, cards, self.root / CHAMPIONS)
        return cards, timeline(cards.values(), logged)

    def _folder(self, model_id: str) -> Path:
        if not _ID.match(model_id):
            raise ModelNotFoundError(f"{model_id!r} is not a model id")
        return self.root / model_id


@functools.lru_cache(maxsize=4096)
def _read_card(path: Path, mtime_ns: int, size: int) -> ModelCard:
    """A parsed ``metadata.json``, kept while the file is unchanged (a model's folder is never
    rewritten; a changed file has another stamp and is read again). Reading every card is what
    finding a slot's champion takes: without this a registry of hundreds of models is parsed
    again on each forecast."""
    del mtime_ns, size  # the cache key only
    return ModelCard.model_validate_json(path.read_text(encoding="utf-8"))


def _check_aware(at: datetime) -> None:
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware (when the decision was made)")


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
