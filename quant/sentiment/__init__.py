"""News and earnings-call sentiment: scorers, scored items and the signal's sentiment part.

Scorers return a ``SentimentScore`` per text (score in [-1, 1], label, probabilities, and the
``model`` that produced it): ``LexiconScorer`` (Loughran-McDonald, the embedded default) and
``FinBertScorer`` (``transformers``, local weights only unless told otherwise). ``load_scorer``
picks FinBERT when its weights load and falls back to the lexicon, saying why.

``ticker_sentiment`` filters a ticker's news and calls to before ``as_of``, scores them and builds
the DESIGN aggregate (last week 40%, weeks 1-4 30%, latest earnings call 30%, renormalised over
the parts with data); ``sentiment_series`` gives daily or weekly means with counts.

``transformers`` is imported only when a FinBERT scorer is loaded.
"""

from quant.sentiment._types import LABELS, Label, SentimentScore, SentimentScorer
from quant.sentiment.aggregate import (
    PART_NAMES,
    Contribution,
    SentimentAggregate,
    SentimentPart,
    sentiment_at,
    sentiment_series,
    ticker_sentiment,
)
from quant.sentiment.errors import (
    LexiconUnavailableError,
    ModelLabelError,
    ModelUnavailableError,
    SentimentError,
    SentimentInputError,
)
from quant.sentiment.finbert import (
    DEFAULT_MODEL,
    FinBertScorer,
    label_columns,
    load_scorer,
    split_sentences,
)
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
    "NEGATION_WINDOW",
    "NEGATORS",
    "PART_NAMES",
    "Contribution",
    "FinBertScorer",
    "Label",
    "Lexicon",
    "LexiconScorer",
    "LexiconUnavailableError",
    "ModelLabelError",
    "ModelUnavailableError",
    "ScoredItem",
    "SentimentAggregate",
    "SentimentError",
    "SentimentInputError",
    "SentimentPart",
    "SentimentScore",
    "SentimentScorer",
    "default_lexicon_path",
    "label_columns",
    "load_lexicon",
    "load_scorer",
    "news_text",
    "score_calls",
    "score_news",
    "sentiment_at",
    "sentiment_series",
    "split_sentences",
    "ticker_sentiment",
    "tokenize",
]
