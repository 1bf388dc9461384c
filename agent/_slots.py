"""The slots of a typed request once its ask is known: the quantity, the document scope, and
the decline (with what can be done instead). Rules only: numbers, years and words.
"""

from __future__ import annotations

import re

from agent._asks import EXACT_PRICE, WHAT_TO_BUY, compare_metric, figure, indicator_metric
from agent._grammar import FLAGS, YEAR
from agent._periods import confidence_level, horizon_days, money
from agent._tickers import _ALIASES
from agent.request import Ask, Decline, DocScope, Period, Quantity

# fmt: off
_STRATEGIES = (
    ("buy_and_hold", r"\bbuy[\s-]+(?:and|&|n)[\s-]+hold\b"),
    ("sma_cross", r"\b(?:sma|moving[\s-]+averages?|ma|golden)[\s-]+cross\w*|\bcrossover\b"),
    ("ml", r"\b(?:ml|model|machine[\s-]+learning|xgboost|classifier)\b"),
    ("technical", r"\btechnical\b|\btechnicals\b|\bindicator[\s-]based\b"),
    ("confluence", r"\bconfluence\b|\bcombined\b|\b(?:the|your)\s+signals?\s+strategy\b"),
)
# strategies people name that no backtest here implements, and the closest one that runs: the
# technical strategy trades on the technical score, which reads RSI, MACD and Bollinger bands
_UNSUPPORTED_STRATEGIES = (
    ("an RSI mean-reversion", "technical", r"\brsi\b[\s-]+(?:\w+[\s-]+)?(?:mean[\s-]+revers\w*|"
     r"strateg\w*|system|oversold\s+bounce)|\bmean[\s-]+revers\w*"),
    ("a MACD crossover", "technical", r"\bmacd\b[\s-]+(?:\w+[\s-]+)?(?:cross\w*|strateg\w*"
     r"|system)"),
    ("a Bollinger-band", "technical", r"\bbollinger\b[\s-]+(?:\w+[\s-]+)?(?:strateg\w*|system|"
     r"breakouts?|bounce)"),
    ("a momentum", "technical", r"\bmomentum\s+(?:strateg\w*|system|trading)"),
    ("a pairs-trading", "confluence", r"\bpairs?\s+trad\w*"),
)
_BASELINE = re.compile(r"\b(?:compar\w+|vs\.?|versus|against|relative\s+to|than|beat\w*|over)\s+"
                       r"(?:\w+\s+){0,3}buy[\s-]+(?:and|&)[\s-]+hold", FLAGS)
_BACKTEST_METRICS = (
    ("costs", r"\bfees\b|\bcosts?\b|\bcommissions?\b|\bslippage\b"),
    ("sharpe", r"\bsharpe\b|\brisk[-\s]adjusted\b"),
    ("max_drawdown", r"\bdraw-?down\b"),
    ("hit_rate", r"\bhit\s+rate\b|\bwin\s+rate\b|\baccura\w+\b"),
    ("annual_return", r"\bannual\w*\s+return|\bcagr\b|\breturns?\b|\bmade\b|\bearn\w*\b"),
)
_SECTIONS = (
    ("Item 7A", r"\bmarket\s+risk\b|\bitem\s+7a\b|\b(?:currency|exchange[-\s]rate|interest[-\s]rate"
                r"|equity[-\s]price|commodity)\s+risks?\b"),
    # "risk factors", and a risk by its topic ("competition risk", "its main risks")
    ("Item 1A", r"\brisk\s+factors?\b|\bitem\s+1a\b|\b\w+\s+risks?\b(?!\s+factors?)"),
    ("Item 7", r"\bmd\s?&\s?a\b|management'?s\s+discussion|\bitem\s+7\b"
               r"|\bresults\s+of\s+operations"),
    ("Item 3", r"\blegal\s+proceedings\b|\blawsuits?\b|\blitigation\b|\bitem\s+3\b"),
    ("Item 2", r"\bproperties\b|\bitem\s+2\b"),
    ("Item 8", r"\bfinancial\s+statements\b|\bitem\s+8\b"),
    ("Item 1", r"\bbusiness\s+(?:section|description|overview)\b"
               r"|\bdescription\s+of\s+(?:the\s+|its\s+)?"
               r"business\b|\bitem\s+1\b|\b(?:the|its)\s+business\s+(?:part|item)\b"
               r"|\bdescribe\s+(?:\S+\s+){0,2}business\b|\bwhat\s+(?:does|did)\s+\S+\s+do\b"),
)
_GROWTH = re.compile(r"\b(?:grow|grew|grown|growth|increase[ds]?|decrease[ds]?|decline[ds]?"
                     r"|change[ds]?|rose|fell|up|down)\b", FLAGS)
_LATEST = re.compile(r"\b(?:latest|most\s+recent|last|newest|current|recent)\s+(?:\w+\s+)?"
                     r"(?:10-?[kq]|annual\s+report|quarterly\s+report|filing|report)", FLAGS)
_TOPIC = re.compile(r"\b(?:about|on|regarding|concerning|re|discuss(?:es|ed)?|mentions?|says?\s+"
                    r"(?:about|on)|said\s+about|comment\w*\s+on|for)\s+(?P<topic>(?!(?:the|its|"
                    r"their|\w+'s)\s+(?:latest|last|most|\d)|(?-i:[A-Z]{2,5})\b"
                    r"|(?:the|a|an|its|their|this|that|his|her|our)\b)[^?.!]+)", FLAGS)
_TOPIC_STOP = re.compile(r"\b(?:in|from)\s+(?:its|the|their|\w+'s)\b.*$|\b(?:in|from|for)\s+"
                         r"(?:fiscal|fy|the\s+(?:latest|last|most)|\d{4}).*$|\b(?:10-?[kq]|annual\s+"
                         r"report|filings?|call|calls)\b.*$", FLAGS)
# "Is competition discussed in the latest 10-K?", "Are supply chain risks mentioned?"
_TOPIC_PASSIVE = re.compile(r"^\s*(?:is|are|was|were|has|have)\s+(?:there\s+)?(?:any(?:thing)?\s+"
                            r"(?:about\s+|on\s+)?)?(?P<topic>[^?.!]+?)\s+(?:been\s+)?(?:discussed|"
                            r"mentioned|covered|addressed|disclosed|cited|listed|named|flagged|raised"
                            r"|included|described|talked\s+about)\b", FLAGS)
# "how far has it fallen from its peak?" (realised, now), not "how far could it fall?"
_FROM_PEAK_NOW = re.compile(
    r"^(?!.*\b(?:could|might|would|will|may|next|ahead|coming|expect\w*|likely)\b)"
    r".*\b(?:peak|high|highs|top)\b",
    FLAGS,
)
# "MSFT's best month in 2011", "the worst month for IBM over the last year"
_BEST_MONTH = re.compile(
    r"\b(best|worst|strongest|weakest|biggest|top)\s+(?:performing\s+|single\s+)?month\b", FLAGS
)
_ACCOUNT = re.compile(r"\b(?:account|portfolio|capital|to\s+invest|bankroll)\b", FLAGS)
_YEARS = re.compile(rf"\b(?:fy\s?'?)?{YEAR}\b", FLAGS)
_FY_SHORT = re.compile(r"\bfy\s?'?(\d{2})\b", FLAGS)
# fmt: on


def quantity_for(ask: Ask, text: str, *, period: Period | None) -> Quantity:
    """What the ask depends on: level and horizon (VaR/CVaR), the window, the indicator key,
    the account size, the backtest's strategy/baseline/metric/costs, the comparison metric."""
    q: dict[str, object] = {}
    if ask in ("var", "cvar"):
        if (level := confidence_level(text)) is not None:
            q["level"] = level[0]
        q["horizon_days"] = horizon_days(text)
        if (amount := money(text)) is not None:  # "if I hold $100k of MSFT": losses in money
            q |= {"account_size": amount[0], "currency": amount[1]}
    elif ask == "direction":
        q["horizon_days"] = _direction_horizon(text)
    elif ask == "track_record":  # "your next-day calls", "your 20-day calls": that horizon
        q["horizon_days"] = horizon_days(re.sub(r"(?<=\w)-(?=days?\b)", " ", text))
    elif ask in ("return", "volatility", "drawdown", "range", "price"):
        q["period"] = None if ask == "range" and _trailing_year(period) else period
        if ask == "drawdown" and period is None and _FROM_PEAK_NOW.search(text):
            q["metric"] = "from_peak"  # realised: where the close stands against its peak
        elif ask == "drawdown" and period is None:
            q["horizon_days"] = horizon_days(text)  # forward: "over the next 6 months"
        if ask == "return" and (money_said := money(text)) is not None:  # "$10k in 2009"
            q |= {"account_size": money_said[0], "currency": money_said[1]}
        if ask == "return" and (month := _BEST_MONTH.search(text)):
            best = month.group(1).lower() in ("best", "strongest", "biggest", "top")
            q["metric"] = "best_month" if best else "worst_month"
            q["period"] = period or Period(lookback_days=365, label="the past year")
    elif ask in ("indicator", "trend", "overbought"):
        q["metric"] = indicator_metric(text) if ask == "indicator" else None
    elif ask in ("position_size", "signal") and (ask == "position_size" or _ACCOUNT.search(text)):
        if (amount := money(text)) is not None:
            q |= {"account_size": amount[0], "currency": amount[1]}
    elif ask in ("backtest", "model_record"):
        q |= _backtest(text, ask=ask, period=period)
    elif ask == "compare":
        q |= {"metric": compare_metric(text)[0], "period": period}
    elif ask == "filing_figure":
        q["metric"] = figure(text)
    return Quantity.model_validate({k: v for k, v in q.items() if v is not None})


def _trailing_year(period: Period | None) -> bool:
    """ "Over the last 52 weeks", "past 12 months", "the past year": the market snapshot's own
    52-week high and low, not a window to compute."""
    days = period.lookback_days if period is not None else None
    return days is not None and 360 <= days <= 366


def _direction_horizon(text: str) -> int:
    days = horizon_days(text)
    if days is None and re.search(r"\bnext\s+(?:few\s+)?(?:days|sessions)\b", text, FLAGS):
        days = 5
    if days is None:
        return 5  # "will it go up?": the model's default week
    return days if days > 21 else min((1, 5, 20), key=lambda h: (abs(h - days), h))


def _backtest(text: str, *, ask: Ask, period: Period | None) -> dict[str, object]:
    baseline = _BASELINE.search(text)
    subject = text[: baseline.start()] + text[baseline.end() :] if baseline else text
    found = [name for name, pattern in _STRATEGIES if re.search(pattern, subject, FLAGS)]
    strategy = "ml" if ask == "model_record" else next(iter(found), None)
    metric = next((k for k, p in _BACKTEST_METRICS if re.search(p, text, FLAGS)), None)
    out: dict[str, object] = {"strategy": strategy, "metric": metric, "period": period}
    unsupported = next(
        ((n, closest) for n, closest, p in _UNSUPPORTED_STRATEGIES if re.search(p, subject, FLAGS)),
        None,
    )
    if unsupported is not None and ask == "backtest" and strategy in (None, "sma_cross"):
        out |= {"unsupported_strategy": unsupported[0], "strategy": unsupported[1]}
    if baseline and strategy != "buy_and_hold":
        out["baseline"] = "buy_and_hold"
    if metric == "costs":
        out["costs"] = True
    return out


def scope_for(ask: Ask, text: str, *, form: str | None, fiscal_year: int | None) -> DocScope | None:
    """Which documents: form, fiscal year or latest, section, topic, figure and its years."""
    if ask in ("call", "news"):
        return DocScope(kind=ask, topic=_topic(text))
    if ask not in ("filing", "filing_figure"):
        return None
    section = next((s for s, p in _SECTIONS if re.search(p, text, FLAGS)), None)
    fig = figure(text) if ask == "filing_figure" else None
    years = _fiscal_years(text) if fig else ()
    if len(years) == 1 and _GROWTH.search(text):  # "how much did net sales grow in 2012?"
        years = (years[0] - 1, years[0])
    latest = bool(_LATEST.search(text)) or (fiscal_year is None and not years)
    return DocScope(
        kind="filing",
        form=form or ("10-K" if ask == "filing_figure" or section or latest else None),
        fiscal_year=fiscal_year,
        fiscal_years=years,
        latest=latest,
        section=section,
        topic=_topic(text) or (fig.replace("_", " ") if fig else None) or _section_topic(section),
        figure=fig,
    )


def _fiscal_years(text: str) -> tuple[int, ...]:
    years = [int(y) for y in _YEARS.findall(text)]
    years += [2000 + int(y) for y in _FY_SHORT.findall(text)]
    return tuple(sorted(set(years)))


def _section_topic(section: str | None) -> str | None:
    names = {"Item 1A": "risk factors", "Item 7": "management's discussion and analysis"}
    names |= {"Item 1": "business", "Item 3": "legal proceedings", "Item 7A": "market risk"}
    return names.get(section or "")


def _topic(text: str) -> str | None:
    m = _TOPIC_PASSIVE.search(text) or _TOPIC.search(text)
    if m is None:
        return None
    topic = _TOPIC_STOP.sub("", m.group("topic")).strip(" ,;:'\"")
    if any(p.fullmatch(topic) for p, _ in _ALIASES) or re.fullmatch(r"\$?[A-Z]{1,5}", topic):
        return None  # "news on Google": the company, not a topic
    return topic or None


# --- declines --------------------------------------------------------------------------------
OFFERS = {
    "future_date": "I can answer as of any date up to the data's last day, and give the model's "
    "probability of a rise over the next 1, 5 or 20 trading days.",
    "exact_price": "I don't forecast exact prices; I can give the latest close, the model's "
    "probability that it rises over 1, 5 or 20 trading days, and the current signal.",
    "advice": "I can't give personal financial advice or guarantees; I can show the signal, "
    "its risk (VaR, drawdown) and a volatility-scaled position size for research.",
    "what_to_buy": "I don't pick stocks; name a company and I can give its signal, risk and "
    "evidence, or compare two or more companies.",
    "bad_level": "VaR and CVaR need a confidence level between 50% and 100% (for example 95% "
    "or 99%).",
    "bad_horizon": "VaR and CVaR horizons run from 1 trading day to 252 (one year); forecasts "
    "cover 1, 5 or 20 trading days.",
    "unknown_company": "I have no data for it; I cover the tickers in the bundled data (ask "
    "'what can you do?').",
    "no_company": "Name a company or ticker (for example AAPL or Microsoft) and I can answer "
    "that for it.",
    "no_data": "I have daily prices, indicators, risk, backtests, model forecasts, the 10-K "
    "text and its tables (net sales, net income), earnings calls and news.",
    "unsupported": "I research listed companies: signals, technicals, risk (VaR, CVaR, "
    "drawdown), backtests, model records, filings, earnings calls, news and sentiment.",
}
# asks answered without a company: "how accurate have your signals been?" is over every ticker
_COMPANY_FREE: frozenset[Ask] = frozenset(
    {"capabilities", "news", "call", "filing", "track_record"}
)


def decline_for(
    ask: Ask | None,
    text: str,
    *,
    quantity: Quantity,
    future: str | None,
    advice: bool,
    missing: tuple[str, ...],
    has_company: bool,
) -> Decline | None:
    """Why the question cannot be answered before any tool runs, or None."""
    if advice:
        return _decline("advice")
    if not has_company and WHAT_TO_BUY.search(text):
        return _decline("what_to_buy")
    if future is not None:
        return _decline("future_date", future)
    if EXACT_PRICE.search(text):
        return _decline("exact_price")
    if missing and (not has_company or ask == "compare"):
        return _decline("unknown_company", ", ".join(missing))
    if not_held := unheld_data(text):
        return _decline("no_data", not_held)
    if ask in ("var", "cvar"):
        level = quantity.level
        if level is not None and not 0.5 < level < 1:
            return _decline("bad_level", f"{level * 100:g}%")
        days = quantity.horizon_days
        if days is not None and not 1 <= days <= 252:
            return _decline("bad_horizon", f"{days} trading days")
    if ask is None:
        return _decline("no_company" if _company_ask_words(text) else "unsupported")
    if not has_company and ask not in _COMPANY_FREE:
        return _decline("no_company")
    return None


# figures a question may ask for that no tool computes and no bundled source holds
_UNHELD = (
    (
        "a P/E ratio",
        r"\bp\s?/\s?e\b|\bpe\s+ratio|\bprice[-\s]to[-\s]earnings|\bearnings\s+multiple",
    ),
    ("a PEG ratio", r"\bpeg\s+ratio\b"),
    ("a price-to-book ratio", r"\bprice[-\s]to[-\s]book\b|\bp\s?/\s?b\b"),
    ("a dividend yield", r"\bdividend\s+yield|\byield\s+on\s+(?:the\s+)?dividend"),
    (
        "market capitalisation",
        r"\bmarket\s+cap\w*|\bmarket\s+value\s+of\s+(?:the\s+)?(?:company|equity)",
    ),
    ("EV/EBITDA", r"\bev\s?/\s?ebitda\b|\benterprise\s+value\b"),
    (
        "options data",
        r"\b(?:options?\s+(?:chain|prices?|flow|volume)|implied\s+vol\w*|put[-/\s]call|greeks)\b",
    ),
    ("short interest", r"\bshort\s+interest\b|\bshort\s+float\b"),
    (
        "analyst price targets",
        r"\b(?:analysts?'?\s+)?price\s+targets?\b",
    ),
    (
        "analyst estimates",
        r"\bconsensus\b|\b(?:eps|earnings|revenue|sales)\s+(?:estimates?|forecasts?|guidance)\b"
        r"|\banalysts?'?\s+(?:estimates?|expectations?|ratings?)\b",
    ),
    ("insider trades", r"\binsider\s+(?:trad\w+|buy\w*|sell\w*|transactions?)\b"),
    ("crypto prices", r"\b(?:bitcoin|btc|ethereum|crypto\w*)\b"),
)


def unheld_data(text: str) -> str:
    """The figures ``text`` asks for that the data does not hold ("a P/E ratio and a dividend
    yield"), or ""."""
    found = [name for name, pattern in _UNHELD if re.search(pattern, text, FLAGS)]
    return " and ".join(found) if len(found) <= 2 else ", ".join(found[:-1]) + " and " + found[-1]


def _company_ask_words(text: str) -> bool:
    return bool(re.search(r"\b(?:stock|shares?|ticker|company)\b", text, FLAGS))


def _decline(reason: str, detail: str = "") -> Decline:
    return Decline.model_validate({"reason": reason, "detail": detail, "offer": OFFERS[reason]})
