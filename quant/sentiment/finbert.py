"""FinBERT (or any 3-way financial sentiment classifier) through ``transformers``.

FinBERT was trained on single sentences (Financial PhraseBank), so a text is split into sentences
and lines, every sentence is scored (in batches, truncated to the model's maximum length), and the
text's probabilities are the mean over its sentences. Labels are read from the model's
``config.id2label`` (case-insensitively), never assumed from the index order. score =
p(positive) - p(negative); the label is the most probable class. A text with no words is neutral
(p_neutral = 1, 0 sentences) without calling the model.

Weights are read from the local Hugging Face cache or a local directory only
(``local_files_only=True``) unless the caller allows a download. ``load_scorer``
(``quant.sentiment.factory``) returns FinBERT when it loads and otherwise says why and falls back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quant.sentiment._types import LABELS, Label, SentimentScore
from quant.sentiment.errors import ModelLabelError, ModelUnavailableError

if TYPE_CHECKING:
    import torch

DEFAULT_MODEL = "ProsusAI/finbert"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")


def split_sentences(text: str) -> list[str]:
    """Split after ``.``, ``!`` or ``?`` followed by white space, and at line breaks (transcripts
    often hold one sentence per line); blank pieces are dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def label_columns(id2label: dict[int, str] | dict[str, str]) -> dict[Label, int]:
    """Map positive/negative/neutral to logit columns from a config's ``id2label``."""
    found = {str(name).strip().lower(): int(idx) for idx, name in id2label.items()}
    missing = [label for label in LABELS if label not in found]
    if missing:
        raise ModelLabelError(
            f"the model's id2label {dict(id2label)} does not name {missing}; a 3-way "
            "positive/negative/neutral sentiment classifier is needed"
        )
    return {label: found[label] for label in LABELS}


class FinBertScorer:
    """Sentence-level sentiment from a sequence-classification model.

    tokenizer, classifier: loaded ``transformers`` objects (see ``from_pretrained``).
    name: the model id or path, reported as ``model = "finbert:<name>"``.
    """

    def __init__(
        self,
        tokenizer: Any,
        classifier: Any,
        *,
        name: str,
        batch_size: int = 32,
        max_length: int = 512,
        device: str = "cpu",
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.tokenizer = tokenizer
        self.classifier = classifier.to(device).eval()
        self.name = name
        self.batch_size = batch_size
        positions = getattr(classifier.config, "max_position_embeddings", max_length)
        self.max_length = min(max_length, positions)
        self.device = device
        self.columns = label_columns(classifier.config.id2label)

    @classmethod
    def from_pretrained(
        cls,
        model: str = DEFAULT_MODEL,
        *,
        local_files_only: bool = True,
        batch_size: int = 32,
        max_length: int = 512,
        device: str = "cpu",
    ) -> FinBertScorer:
        """Load tokenizer and classifier from a model id (HF cache) or a local directory.

        Raises ModelUnavailableError, saying what to set, when they are not there.
        """
        try:
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as err:
            raise ModelUnavailableError(
                "FinBERT needs the `transformers` package; `pip install transformers` "
                "or use the lexicon scorer",
                model=model,
            ) from err
        if _looks_like_path(model) and not Path(model).is_dir():
            raise ModelUnavailableError(
                f"no model directory at {model}; pass model= a directory that holds "
                "config.json, the weights and the tokenizer files",
                model=model,
            )
        try:
            tokenizer = AutoTokenizer.from_pretrained(model, local_files_only=local_files_only)
            classifier = AutoModelForSequenceClassification.from_pretrained(
                model, local_files_only=local_files_only
            )
        except OSError as err:
            where = "in the local Hugging Face cache" if local_files_only else "locally or online"
            raise ModelUnavailableError(
                f"FinBERT weights for {model!r} are not available {where}; download them once "
                f"(`hf download {model}`, with HF_HOME pointing at the cache to use), or pass "
                "model= a local directory, or allow a download with local_files_only=False",
                model=model,
            ) from err
        return cls(
            tokenizer,
            classifier,
            name=model,
            batch_size=batch_size,
            max_length=max_length,
            device=device,
        )

    @property
    def model(self) -> str:
        return f"finbert:{self.name}"

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        """One result per text, in order; all sentences of all texts are batched together."""
        per_text = [split_sentences(text) for text in texts]
        probs = self.sentence_probabilities([s for parts in per_text for s in parts])
        results, start = [], 0
        for parts in per_text:
            results.append(self._result(probs[start : start + len(parts)]))
            start += len(parts)
        return results

    def sentence_probabilities(self, sentences: Sequence[str]) -> list[dict[Label, float]]:
        """Softmax probabilities per sentence, keyed by label."""
        import torch

        out: list[dict[Label, float]] = []
        for start in range(0, len(sentences), self.batch_size):
            batch = list(sentences[start : start + self.batch_size])
            encoded = self.tokenizer(
                batch,
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="pt",
            ).to(self.device)
            with torch.inference_mode():
                logits = self.classifier(**encoded).logits
            probs: torch.Tensor = torch.softmax(logits.double(), dim=-1).cpu()
            for row in probs.tolist():
                out.append({label: row[col] for label, col in self.columns.items()})
        return out

    def _result(self, rows: list[dict[Label, float]]) -> SentimentScore:
        if rows:
            mean = {label: sum(r[label] for r in rows) / len(rows) for label in LABELS}
        else:
            mean = {"positive": 0.0, "negative": 0.0, "neutral": 1.0}
        label = max(LABELS, key=lambda name: mean[name])
        return SentimentScore(
            label=label,
            score=mean["positive"] - mean["negative"],
            positive=mean["positive"],
            negative=mean["negative"],
            neutral=mean["neutral"],
            model=self.model,
            details={"sentences": len(rows)},
        )

    def __repr__(self) -> str:
        return f"FinBertScorer(name={self.name!r}, batch_size={self.batch_size})"


def _looks_like_path(model: str) -> bool:
    return model.startswith((".", "/", "~")) or "\\" in model or model.count("/") > 1
