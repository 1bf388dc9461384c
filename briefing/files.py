"""The briefing's file names: one per (watchlist, as-of), so that re-running a date replaces its
files (written atomically with ``core.files.write_atomic``)."""

from __future__ import annotations

import hashlib

from briefing.models import BriefingReport

__all__ = ["FORMATS", "report_stem"]

FORMATS = ("md", "html", "json")
_SHORT = 5  # watchlists up to this size are spelled out in file names


def report_stem(report: BriefingReport) -> str:
    """``briefing-2013-02-28-AAPL-GOOG-IBM-MSFT`` (longer or weighted lists: a digest)."""
    tickers = sorted(report.watchlist)
    digest = hashlib.sha256(report.watchlist_key.encode()).hexdigest()[:8]
    safe = [t.replace("^", "") for t in tickers]
    if len(tickers) <= _SHORT and "@" not in report.watchlist_key:
        name = "-".join(safe)
    elif len(tickers) <= _SHORT:
        name = "-".join(safe) + f"-{digest}"
    else:
        name = f"{len(tickers)}-tickers-{digest}"
    return f"briefing-{report.as_of}-{name}"
