"""The track record of the product's calls: their outcomes and how they scored, pure.

``forward_outcomes`` and ``hits`` say what happened after each call (from closes that end at
the resolver's as-of date); ``track_record`` scores the resolved calls beside the always-buy and
momentum baselines. Storage and market data live in ``data``; ``tools.calls`` joins them.
"""

from quant.track.outcomes import UnknownActionError, direction_of, forward_outcomes, hits
from quant.track.record import (
    KEYS,
    TrackRecord,
    TrackRow,
    WindowScore,
    score_window,
    track_record,
)

__all__ = [
    "KEYS",
    "TrackRecord",
    "TrackRow",
    "UnknownActionError",
    "WindowScore",
    "direction_of",
    "forward_outcomes",
    "hits",
    "score_window",
    "track_record",
]
