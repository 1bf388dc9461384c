"""Watchlists: the tickers a briefing covers and their portfolio weights.

Spelled inline (``AAPL,MSFT`` or ``AAPL:0.4,MSFT:0.6``) or as a file with one ticker per line,
an optional weight after a space, comma or colon, and ``#`` comments. Weights are relative
(``40/30/20/10`` and ``0.4/0.3/0.2/0.1`` are the same portfolio) and normalised to sum to 1;
without weights the portfolio is equal-weight. The key that identifies a watchlist in the
database is its sorted tickers, plus a digest of the weights when they are not equal.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from data.bars import normalize_ticker
from data.errors import InvalidTickerError

__all__ = ["Watchlist", "WatchlistError", "load_watchlist", "parse_watchlist"]

_ENTRY = re.compile(r"^\s*(?P<ticker>[^\s,:]+)\s*(?:[\s,:]\s*(?P<weight>\S+))?\s*$")


class WatchlistError(ValueError):
    """A watchlist that cannot be used: fix the list or the file."""


class Watchlist(BaseModel):
    """Tickers in the order given and their weights (summing to 1)."""

    model_config = ConfigDict(frozen=True)

    tickers: tuple[str, ...] = Field(min_length=1)
    weights: tuple[float, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Watchlist:
        if len(self.weights) != len(self.tickers):
            raise ValueError("one weight per ticker")
        if len(set(self.tickers)) != len(self.tickers):
            raise ValueError("tickers must be unique")
        if not math.isclose(sum(self.weights), 1.0, abs_tol=1e-9):
            raise ValueError("weights must sum to 1")
        return self

    @classmethod
    def of(cls, tickers: list[str], weights: list[float] | None = None) -> Watchlist:
        """Validate tickers (upper-cased, unique) and weights (positive, finite, normalised)."""
        if not tickers:
            raise WatchlistError("the watchlist is empty: give at least one ticker")
        clean: list[str] = []
        for raw in tickers:
            try:
                ticker = normalize_ticker(raw)
            except InvalidTickerError as err:
                raise WatchlistError(str(err)) from None
            if ticker in clean:
                raise WatchlistError(f"{ticker} is listed twice")
            clean.append(ticker)
        if weights is None:
            return cls(tickers=tuple(clean), weights=tuple(1.0 / len(clean) for _ in clean))
        bad = [w for w in weights if not (math.isfinite(w) and w > 0)]
        if bad:
            raise WatchlistError(f"weights must be positive numbers, got {bad[0]!r}")
        largest = max(weights)  # scaled first, so that huge weights (1e308) cannot overflow
        scaled = [w / largest for w in weights]
        total = math.fsum(scaled)
        return cls(tickers=tuple(clean), weights=tuple(w / total for w in scaled))

    @property
    def equal_weight(self) -> bool:
        return all(math.isclose(w, 1.0 / len(self.weights)) for w in self.weights)

    @property
    def key(self) -> str:
        """Stable identity: ``AAPL,GOOG,IBM,MSFT`` (sorted), ``@digest`` when weighted."""
        base = ",".join(sorted(self.tickers))
        if self.equal_weight:
            return base
        pairs = sorted((t, round(w, 10)) for t, w in zip(self.tickers, self.weights, strict=True))
        return f"{base}@{hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:8]}"

    def weight_of(self) -> dict[str, float]:
        return dict(zip(self.tickers, self.weights, strict=True))


def _entries(lines: list[str], *, where: str) -> Watchlist:
    tickers: list[str] = []
    weights: list[float | None] = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        match = _ENTRY.match(text)
        if match is None:
            raise WatchlistError(f"{where} entry {number}: {text!r} is not 'TICKER [WEIGHT]'")
        tickers.append(match["ticker"])
        weight = match["weight"]
        try:
            weights.append(None if weight is None else float(weight.rstrip("%")))
        except ValueError:
            raise WatchlistError(
                f"{where} entry {number}: weight {weight!r} is not a number"
            ) from None
    given = [w for w in weights if w is not None]
    if given and len(given) != len(weights):
        raise WatchlistError(f"{where}: give a weight for every ticker or for none")
    return Watchlist.of(tickers, given or None)


def parse_watchlist(spec: str) -> Watchlist:
    """``"AAPL,MSFT"`` or ``"AAPL:0.6,MSFT:0.4"``."""
    return _entries(spec.split(","), where="--watchlist")


def load_watchlist(path: Path) -> Watchlist:
    """A watchlist file (see the module docstring)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise WatchlistError(f"cannot read watchlist file {path}: {err}") from None
    return _entries(text.splitlines(), where=str(path))
