"""Writing the briefing's files: one name per (watchlist, as-of), each written atomically
(a temporary file in the same folder, then ``os.replace``), so a reader never sees half a
report and re-running a date replaces its files."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from agent.briefing.models import BriefingReport

__all__ = ["FORMATS", "report_stem", "write_atomic"]

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


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` so that it appears whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
