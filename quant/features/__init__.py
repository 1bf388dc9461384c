"""Point-in-time features for a universe of tickers: one (date, ticker) panel, 100+ columns.

``build_features(bars, benchmark=..., as_of=...)`` returns the panel; ``FEATURE_NAMES`` lists its
columns in order, ``FEATURE_GROUPS`` groups them and ``FEATURE_DESCRIPTIONS`` says what each is.
``cross_sectional`` ranks and z-scores any panel's columns across tickers per date.
"""

from quant.features.cross_section import CS_BASES, cross_sectional, rank_and_zscore
from quant.features.panel import (
    FEATURE_DESCRIPTIONS,
    FEATURE_GROUPS,
    FEATURE_NAMES,
    build_features,
)

__all__ = [
    "CS_BASES",
    "FEATURE_DESCRIPTIONS",
    "FEATURE_GROUPS",
    "FEATURE_NAMES",
    "build_features",
    "cross_sectional",
    "rank_and_zscore",
]
