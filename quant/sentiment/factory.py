"""Which sentiment scorer runs here: FinBERT when its weights are present, else the trained
MiniLM head (the offline default), else the Loughran-McDonald lexicon (the explainable fallback).

Every scorer names itself in each score's ``model`` (``finbert:<id>``, ``minilm:<head>``,
``lexicon:loughran-mcdonald``), and the aggregates carry it, so a reader always knows which model
scored. A scorer that stands in for another carries ``fallback_reason``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from quant.sentiment._types import SentimentScorer, TextEmbedder
from quant.sentiment.embedding import MINILM_PREFIX, EmbeddingScorer, load_minilm
from quant.sentiment.errors import ModelUnavailableError
from quant.sentiment.finbert import DEFAULT_MODEL, FinBertScorer
from quant.sentiment.head import load_head
from quant.sentiment.lexicon import LEXICON_MODEL, LexiconScorer

logger = logging.getLogger(__name__)


def _is_minilm(model: str | None) -> bool:
    return model is not None and (
        model == MINILM_PREFIX or model.startswith(f"{MINILM_PREFIX}:") or model.endswith(".json")
    )


def load_embedding_scorer(
    *,
    model: str = MINILM_PREFIX,
    head_path: str | Path | None = None,
    embedder: TextEmbedder | None = None,
    fallback_reason: str | None = None,
) -> EmbeddingScorer:
    """The trained head over MiniLM embeddings.

    model: ``"minilm"`` (the shipped head, or ``head_path``), ``"minilm:<head name>"`` (the same,
    checked by name) or the path of a head file (``*.json``). embedder: default the bundled
    all-MiniLM-L6-v2, loaded once per process. Raises ModelUnavailableError.
    """
    path = Path(model).expanduser() if model.endswith(".json") else head_path
    head = load_head(path)  # cheap, and checked before the embedding model loads
    wanted = model.partition(":")[2] if model.startswith(f"{MINILM_PREFIX}:") else ""
    if wanted and wanted != head.name:
        raise ModelUnavailableError(
            f"no sentiment head named {wanted!r} here (the head file holds {head.name!r}); "
            "set the model to 'minilm' or to the path of a head file",
            model=model,
        )
    return EmbeddingScorer(head, embedder or load_minilm(), fallback_reason=fallback_reason)


def load_scorer(
    *,
    model: str | None = None,
    allow_fallback: bool = True,
    local_files_only: bool = True,
    lexicon_path: str | Path | None = None,
    head_path: str | Path | None = None,
    embedder: TextEmbedder | None = None,
) -> SentimentScorer:
    """The best scorer available here for ``model`` (the ``sentiment_model`` setting).

    - None: FinBERT (``ProsusAI/finbert``) when its weights are in the local cache, else the
      MiniLM head, else the lexicon;
    - a FinBERT model id or local directory: FinBERT, else the MiniLM head, else the lexicon;
    - ``"minilm"``, ``"minilm:<head name>"`` or a head file (``*.json``): the MiniLM head, else
      the lexicon;
    - ``"lexicon"`` or ``"lexicon:loughran-mcdonald"``: the lexicon, nothing else tried.

    A fallback has ``fallback_reason`` set and is logged: a warning when the model that failed
    was asked for, info when the default FinBERT is simply not cached (the usual offline case).
    allow_fallback=False: the model asked for, or ModelUnavailableError.
    head_path, embedder: the MiniLM head file and embedder (defaults: shipped, bundled).
    """
    if model in ("lexicon", LEXICON_MODEL):
        return LexiconScorer(lexicon_path)
    reasons: list[str] = []
    if not _is_minilm(model):
        try:
            return FinBertScorer.from_pretrained(
                model or DEFAULT_MODEL, local_files_only=local_files_only
            )
        except ModelUnavailableError as err:
            if not allow_fallback:
                raise
            reasons.append(f"FinBERT unavailable: {err}")
            if model is None:
                logger.info(
                    "FinBERT (%s) is not in the local cache: trying the MiniLM head", err.model
                )
            else:
                logger.warning("%s; trying the MiniLM sentiment head", reasons[-1])
    try:
        return load_embedding_scorer(
            model=model if model is not None and _is_minilm(model) else MINILM_PREFIX,
            head_path=head_path,
            embedder=embedder,
            fallback_reason="; ".join(reasons) or None,
        )
    except ModelUnavailableError as err:
        if not allow_fallback:
            raise
        reasons.append(f"MiniLM sentiment head unavailable: {err}")
    reason = f"using {LEXICON_MODEL}: " + "; ".join(reasons)
    logger.warning(reason)
    return LexiconScorer(lexicon_path, fallback_reason=reason)
