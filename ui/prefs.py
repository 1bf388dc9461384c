"""The settings panel's values (as-of date, model, watchlist), checked. Pure: tested alone."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.asof import AsOfError, parse_as_of

__all__ = ["Prefs", "parse_prefs"]


@dataclass(frozen=True)
class Prefs:
    """as_of: None means today, or the date the question names. problem: why a value typed in
    the panel was not used (shown to the user)."""

    as_of: date | None
    model: str
    watchlist: tuple[str, ...]
    problem: str | None = None

    def as_values(self) -> dict[str, str]:
        """The panel's values for these preferences."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else "",
            "model": self.model,
            "watchlist": ", ".join(self.watchlist),
        }


def parse_prefs(
    values: Mapping[str, Any] | None, *, models: Collection[str], default_model: str
) -> Prefs:
    """Panel values -> ``Prefs``; an unknown model falls back to ``default_model``."""
    values = values or {}
    raw = str(values.get("as_of") or "").strip()
    as_of, problem = None, None
    if raw:
        try:
            as_of = parse_as_of(raw)
        except AsOfError:
            problem = f"as-of {raw!r} is not a date (YYYY-MM-DD); using today or the question's"
    model = str(values.get("model") or default_model)
    watchlist = tuple(
        dict.fromkeys(
            t.strip().upper()
            for t in str(values.get("watchlist") or "").replace(";", ",").split(",")
            if t.strip()
        )
    )
    return Prefs(as_of, model if model in models else default_model, watchlist, problem)
