"""Named errors of the sentiment layer, named by how the caller should react."""

from __future__ import annotations


class SentimentError(Exception):
    """Base class for sentiment errors; ``str(err)`` is a one-line message."""


class ModelUnavailableError(SentimentError, RuntimeError):
    """A scorer's model or word list is not on this machine; the message says what to set.

    ``load_scorer`` catches it and falls back to the lexicon when allowed.
    """

    def __init__(self, message: str, *, model: str) -> None:
        self.model = model
        super().__init__(message)


class LexiconUnavailableError(ModelUnavailableError):
    """The Loughran-McDonald word list (``LM.csv``) cannot be found or read."""


class ModelLabelError(SentimentError, ValueError):
    """The classifier's ``id2label`` does not name positive, negative and neutral."""


class SentimentInputError(SentimentError, ValueError):
    """The caller passed something that cannot be scored, e.g. a filing as an earnings call."""
