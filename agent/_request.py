"""Fill the typed request (ask, quantity, verdict, scope, decline) of a parsed question.

Order: the rules' ask (agent._asks); a follow-up that asks nothing new keeps the previous ask
("what about Microsoft?", "and at 95%?"); a company named alone is an overview; otherwise, or
when the rules are only weakly sure, the exemplar classifier. Then the slots (agent._slots).

Calendar and relative periods: a return, volatility, drawdown, range or comparison question
with a window ("in 2011", "over the last year") gets ``quantity.period`` and the window's own
dates are not an as-of date, so ``as_of`` stays None unless another date is given ("the 2011
return as of 2012-06-29").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any, Protocol

from agent._asks import compare_predicate, rule_ask, said_compare_metric, verdict_for
from agent._dates import _parse_as_of
from agent._grammar import FLAGS, fix_typos
from agent._periods import find_period
from agent._slots import decline_for, quantity_for, scope_for
from agent._tickers import strip_names
from agent.request import Ask, DocScope, Period, Quantity, Verdict


class Parsed(Protocol):
    """The parts of ``agent.question.ParsedQuestion`` the request is filled from."""

    @property
    def text(self) -> str: ...
    @property
    def tickers(self) -> tuple[str, ...]: ...
    @property
    def unknown_tickers(self) -> tuple[str, ...]: ...
    @property
    def unmarked_symbols(self) -> tuple[str, ...]: ...
    @property
    def as_of(self) -> date | None: ...
    @property
    def forms(self) -> tuple[str, ...]: ...
    @property
    def fiscal_year(self) -> int | None: ...
    @property
    def advice_request(self) -> bool: ...
    @property
    def ask(self) -> Ask | None: ...
    @property
    def quantity(self) -> Quantity: ...
    @property
    def verdict(self) -> Verdict | None: ...
    @property
    def scope(self) -> DocScope | None: ...


_PERIOD_ASKS: frozenset[Ask] = frozenset(
    {"return", "volatility", "drawdown", "range", "compare", "backtest", "model_record"}
)
# the years of a filing figure are fiscal years, never the as-of date ("net sales in 2008")
_YEAR_ASKS: frozenset[Ask] = frozenset({"filing_figure"})
# "and its drawdown over that period?": the window of the question before
_SAME_PERIOD = re.compile(
    r"\b(?:that|the\s+same|this|those)\s+(?:period|time|window|span|stretch|months?|year|days)\b",
    re.IGNORECASE,
)
_GENERIC: frozenset[Ask] = frozenset({"overview", "news"})  # about a company in general
_TO_YOU = re.compile(r"\b(?:you|your|yours|you'?ve|ur)\b", FLAGS)
_FILLER = re.compile(
    r"\b(?:tell|me|about|what|whats|what's|how|about|thoughts?|on|think|do|you|of|info|"
    r"information|the|stock|shares?|ticker|company|give|a|an|look|at|analy[sz]e|analysis|and|"
    r"please|quick|rundown|view|summary|is|up|with|for|overview|report|research|so|ok|okay|"
    r"then|also|same|it|its|their|now|today|currently|right|these|days|moment|present|things|"
    r"stand|as|at|hows|looking|doing|anything|lately)\b|[^\w\s]",
    FLAGS,
)


def fill_request(
    q: Parsed,
    *,
    today: date,
    history: Parsed | None,
    classify: Callable[[str], Ask | None] | None,
) -> dict[str, Any]:
    """The update that fills ``q``'s ask, quantity, verdict, scope and decline (and as_of, when
    a period's dates were read as one); ``history`` is the previous question when ``q`` is a
    follow-up of it."""
    text = fix_typos(q.text)  # "overbougt", "drawdwon": the rules read the intended word
    n_companies = len(q.tickers) + len(q.unknown_tickers) + len(q.unmarked_symbols)
    rule = rule_ask(text, n_companies=n_companies, has_history=history is not None)
    ask: Ask | None = rule.ask if rule is not None else None
    bare = not _FILLER.sub(" ", re.sub(r"['\u2019]", "", _strip_companies(q, " "))).split()
    inherited = rule is None and history is not None and history.ask is not None
    if inherited and history is not None:
        ask = "signal" if history.ask == "why" else history.ask  # "why?" explained the signal
    elif rule is None and bare and n_companies:
        ask = "overview"
    elif (rule is None or not rule.sure) and classify is not None and not bare:
        guess = classify(fix_typos(_strip_companies(q, "it")))  # exemplars name no company
        if guess == "track_record" and not _TO_YOU.search(text):
            guess = None  # SignalDesk's own calls are asked after in the second person
        if guess == "capabilities" and n_companies:
            guess = None if rule is not None else "overview"  # "gimme ibm's numbers"
        if guess is not None and not (rule is not None and guess in _GENERIC):
            ask = guess  # a weak rule gives way to a specific ask, not to a general one
    if ask is None and n_companies:
        ask = "overview"

    found = find_period(text)
    if (
        history is not None
        and history.ask in ("backtest", "model_record")
        and ask in ("drawdown", "return", "volatility")
        and found is None
        and q.tickers == history.tickers
    ):  # after a backtest, "what about max drawdown for both?" is that backtest's drawdown
        ask = history.ask
    as_of = q.as_of
    if ask in _YEAR_ASKS and q.as_of is not None and q.fiscal_year is None:
        as_of = None if _years_only(text) else as_of
    if ask in _PERIOD_ASKS and found is not None:
        as_of = _parse_as_of(text, today, skip=(found.start, found.end))
        if as_of is None and history is not None and q.as_of is None:
            as_of = history.as_of
    period = found.period if found is not None else None
    quantity = quantity_for(ask, text, period=period) if ask is not None else Quantity()
    scope = (
        scope_for(ask, text, form=q.forms[0] if q.forms else None, fiscal_year=q.fiscal_year)
        if ask is not None
        else None
    )
    topic = scope.topic if scope is not None else None
    verdict = verdict_for(ask, text, topic=topic) if ask is not None else None
    if ask == "compare" and history is not None and said_compare_metric(text) is None:
        quantity, verdict = _compared_as_before(quantity, verdict, history)
    if (
        quantity.period is None
        and history is not None
        and history.quantity.period is not None
        and _SAME_PERIOD.search(text)
    ):
        quantity = quantity.model_copy(update={"period": history.quantity.period})
    if history is not None and ask == history.ask:  # restated parts win, the rest is inherited
        quantity = _merge(quantity, history.quantity)
        verdict = verdict if not inherited else history.verdict
        if inherited and not (q.forms or q.fiscal_year):
            scope = history.scope
    has_company = bool(q.tickers)
    decline = decline_for(
        ask,
        text,
        quantity=quantity,
        future=_future(as_of, period, today),
        advice=q.advice_request,
        missing=_missing(q),
        has_company=has_company,
    )
    if (
        decline is not None
        and decline.reason == "exact_price"
        and ask not in ("price", "direction")
    ):
        ask, quantity, verdict = "price", Quantity(), None  # "will it hit $700?": a price ask
    return {
        "ask": ask,
        "quantity": quantity,
        "verdict": verdict,
        "scope": scope,
        "decline": decline,
        "as_of": as_of,
    }


# what a comparison that names no metric compares, after a question of each ask
_METRIC_AFTER: dict[str, str] = {
    "signal": "signal",
    "position_size": "signal",
    "var": "risk",
    "cvar": "risk",
    "drawdown": "risk",
    "volatility": "volatility",
    "return": "return",
    "indicator": "momentum",
    "trend": "momentum",
    "overbought": "momentum",
}


def _compared_as_before(
    quantity: Quantity, verdict: Verdict | None, history: Parsed
) -> tuple[Quantity, Verdict | None]:
    """ "Should I buy Apple?" then "compare it with IBM": the signals are compared; after a VaR
    question the risk, after a return question the return (over the same window)."""
    metric = _METRIC_AFTER.get(history.ask or "")
    if metric is None:
        return quantity, verdict
    update: dict[str, object] = {"metric": metric}
    if quantity.period is None and history.quantity.period is not None:
        update["period"] = history.quantity.period
    kind = verdict.kind if verdict is not None else "which"
    return quantity.model_copy(update=update), Verdict(
        kind=kind, predicate=compare_predicate(metric)
    )


def _future(as_of: date | None, period: Period | None, today: date) -> str | None:
    """What lies after ``today``: the as-of date, or a period that starts after it."""
    if as_of is not None and as_of > today:
        return as_of.isoformat()
    if period is not None and period.start is not None and period.start > today:
        return period.label or period.start.isoformat()
    return None


def _years_only(text: str) -> bool:
    """Whether the text dates itself by years alone ("in 2008"), not by a day or a month."""
    return not re.search(
        r"\d{4}-\d{2}-\d{2}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d"
        r"|\bas\s+of\b",
        text,
        re.IGNORECASE,
    )


def _merge(new: Quantity, old: Quantity) -> Quantity:
    said = new.model_dump(exclude_defaults=True)
    return old.model_copy(update=said)


def _missing(q: Parsed) -> tuple[str, ...]:
    if q.tickers:
        return q.unknown_tickers
    return (*q.unknown_tickers, *q.unmarked_symbols)


def _strip_companies(q: Parsed, by: str) -> str:
    """The text with its ticker symbols and company names replaced ``by`` a word."""
    text = strip_names(q.text, by)
    for symbol in (*q.tickers, *q.unknown_tickers, *q.unmarked_symbols):
        text = re.sub(rf"[$^]?\b{re.escape(symbol.lstrip('^'))}\b(?:'s)?", by, text, flags=FLAGS)
    return " ".join(text.split())
