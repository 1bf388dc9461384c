"""The result of scoring one text and the interface every scorer implements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Label = Literal["positive", "negative", "neutral"]
LABELS: tuple[Label, ...] = ("positive", "negative", "neutral")


@dataclass(frozen=True, slots=True)
class SentimentScore:
    """One text's sentiment.

    score: in [-1, 1]; FinBERT and the MiniLM head: p(positive) - p(negative); lexicon:
    (pos - neg) / (pos + neg).
    positive/negative/neutral: probabilities summing to 1 (pseudo-probabilities for the lexicon).
    model: which model scored it, ``"finbert:<id or path>"``, ``"minilm:<head name>"`` (the
    trained head over MiniLM embeddings) or ``"lexicon:loughran-mcdonald"``.
    details: counts behind the score (lexicon: tokens, positive, negative, negated; FinBERT:
    sentences; MiniLM head: chunks).
    """

    label: Label
    score: float
    positive: float
    negative: float
    neutral: float
    model: str
    details: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def probabilities(self) -> dict[Label, float]:
        return {"positive": self.positive, "negative": self.negative, "neutral": self.neutral}

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "score": self.score,
            "probabilities": self.probabilities,
            "model": self.model,
            "details": dict(self.details),
        }


@runtime_checkable
class SentimentScorer(Protocol):
    """Scores texts in batches; ``model`` names the model for every result it returns."""

    @property
    def model(self) -> str: ...

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        """One result per text, in order."""
        ...


@runtime_checkable
class TextEmbedder(Protocol):
    """Turns texts into unit vectors (``retrieval.embeddings.SentenceTransformerEmbedder`` is one);
    ``name`` is the embedding model's id, checked against the head trained on it."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """float32 array (len(texts), dim), each row L2-normalised."""
        ...


class NewsLike(Protocol):
    """A dated headline, as the sentiment scores read it (``retrieval.types.NewsItem`` is one)."""

    @property
    def id(self) -> str: ...
    @property
    def published(self) -> date: ...
    @property
    def tickers(self) -> tuple[str, ...]: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def source(self) -> str: ...


class CallLike(Protocol):
    """A dated earnings call document (``retrieval.types.Document`` of kind "call" is one)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def ticker(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def available_on(self) -> date: ...
    @property
    def source(self) -> str: ...
    @property
    def text(self) -> str: ...
