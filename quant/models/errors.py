"""Named errors of the model layer, named by how the caller should react."""

from __future__ import annotations

from collections.abc import Sequence


class ModelError(Exception):
    """Base class for model-layer errors; ``str(err)`` is a one-line message."""


class FeatureMismatchError(ModelError, ValueError):
    """The caller's features are not the model's features, in the model's order."""

    def __init__(self, *, expected: Sequence[str], got: Sequence[str]) -> None:
        self.expected = tuple(expected)
        self.got = tuple(got)
        missing = [f for f in self.expected if f not in set(self.got)]
        extra = [f for f in self.got if f not in set(self.expected)]
        if missing or extra:
            detail = f"missing {_few(missing)}; unexpected {_few(extra)}"
        else:
            detail = "same names in a different order"
        super().__init__(
            f"features do not match the model's {len(self.expected)} features ({detail}); "
            "rebuild the features with the model's feature list or retrain"
        )


def _few(names: Sequence[str], limit: int = 5) -> str:
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown + (f" (+{len(names) - limit} more)" if len(names) > limit else "")


class LookAheadError(ModelError, ValueError):
    """Using the model or the row at ``as_of`` would use information from after ``as_of``."""


class ModelNotFoundError(ModelError, LookupError):
    """No registered model matches the request."""


class ModelExistsError(ModelError, FileExistsError):
    """A model with this id is already registered; registered models are immutable."""


class RegistryCorruptError(ModelError):
    """A registered model's files are missing or do not match the hashes in its metadata."""


class ChampionError(ModelError, ValueError):
    """A promotion or rollback that cannot be made: the model is already the champion, or
    there is no earlier champion to roll back to. Change the request; retrying will not help."""
