"""News and earnings-call sentiment: scorers, scored items and the signal's sentiment part.

Scorers return a ``SentimentScore`` per text (score in [-1, 1], label, probabilities, and the
``model`` that produced it): ``FinBertScorer`` (``transformers``, local weights only unless told
otherwise), ``EmbeddingScorer`` (a small head trained on labelled financial headlines and tweets
over the bundled all-MiniLM-L6-v2 embeddings: the offline default, see ``MODEL_CARD.md``) and
``LexiconScorer`` (Loughran-McDonald, the explainable fallback). ``load_scorer`` picks FinBERT
when its weights load, else the MiniLM head, else the lexicon, saying why.

``ticker_sentiment`` filters a ticker's news and calls to before ``as_of``, scores them and builds
the DESIGN aggregate (last week 40%, weeks 1-4 30%, latest earnings call 30%, renormalised over
the parts with data); ``sentiment_series`` gives daily or weekly means with counts.

``transformers`` and ``sentence-transformers`` are imported only when a model is loaded.
"""

from quant.sentiment._types import LABELS, Label, SentimentScore, SentimentScorer, TextEmbedder
from quant.sentiment.aggregate import (
    PART_NAMES,
    Contribution,
    SentimentAggregate,
    SentimentPart,
    sentiment_at,
    sentiment_series,
    ticker_sentiment,
)
from quant.sentiment.embedding import (
    MINILM_NAME,
    MINILM_PREFIX,
    EmbeddingScorer,
    MiniLMEmbedder,
    clean_text,
    load_minilm,
    text_chunks,
)
from quant.sentiment.errors import (
    LexiconUnavailableError,
    ModelLabelError,
    ModelUnavailableError,
    SentimentError,
    SentimentInputError,
)
from quant.sentiment.factory import load_embedding_scorer, load_scorer
from quant.sentiment.finbert import DEFAULT_MODEL, FinBertScorer, label_columns, split_sentences
from quant.sentiment.head import SentimentHead, default_head_path, load_head, write_head
from quant.sentiment.items import ScoredItem, news_text, score_calls, score_news
from quant.sentiment.lexicon import (
    LEXICON_MODEL,
    NEGATION_WINDOW,
    NEGATORS,
    Lexicon,
    LexiconScorer,
    default_lexicon_path,
    load_lexicon,
    tokenize,
)

__all__ = [
    "DEFAULT_MODEL",
    "LABELS",
    "LEXICON_MODEL",
    "MINILM_NAME",
    "MINILM_PREFIX",
    "NEGATION_WINDOW",
    "NEGATORS",
    "PART_NAMES",
    "Contribution",
    "EmbeddingScorer",
    "FinBertScorer",
    "Label",
    "Lexicon",
    "LexiconScorer",
    "LexiconUnavailableError",
    "MiniLMEmbedder",
    "ModelLabelError",
    "ModelUnavailableError",
    "ScoredItem",
    "SentimentAggregate",
    "SentimentError",
    "SentimentHead",
    "SentimentInputError",
    "SentimentPart",
    "SentimentScore",
    "SentimentScorer",
    "TextEmbedder",
    "clean_text",
    "default_head_path",
    "default_lexicon_path",
    "label_columns",
    "load_embedding_scorer",
    "load_head",
    "load_lexicon",
    "load_minilm",
    "load_scorer",
    "news_text",
    "score_calls",
    "score_news",
    "sentiment_at",
    "sentiment_series",
    "split_sentences",
    "text_chunks",
    "ticker_sentiment",
    "tokenize",
    "write_head",
]
