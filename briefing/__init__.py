"""The daily briefing: a watchlist's signals with cited explanations, a portfolio panel, what
changed since the last briefing, stored in the database and rendered as reports."""

from briefing.models import BriefingReport, Changes, PortfolioPanel, TickerBrief
from briefing.runner import BriefingPlan, run_briefing, thread_id_for
from briefing.store import BriefingStore
from briefing.watchlist import Watchlist, WatchlistError, load_watchlist, parse_watchlist

__all__ = [
    "BriefingPlan",
    "BriefingReport",
    "BriefingStore",
    "Changes",
    "PortfolioPanel",
    "TickerBrief",
    "Watchlist",
    "WatchlistError",
    "load_watchlist",
    "parse_watchlist",
    "run_briefing",
    "thread_id_for",
]
