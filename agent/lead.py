"""The answer's first sentence: the question answered in its own terms, then the evidence.

``lead_sentence`` reads the typed request (``ParsedQuestion.ask``, ``quantity``, ``verdict``) and
writes one sentence from the ledger: a VaR at the level and horizon asked, a calendar year's
return, a yes/no on "is it overbought?", which company is riskier, bull or bear. One small
builder per ask; every number is an evidence value, formatted so that ``agent.verifier`` finds
it (templates in ``prompts/offline.md``). The signal and overview asks return None: their answer
leads with the signal block that ``agent.compose.assemble`` renders. A filing's lead is written
by ``agent._filing_sentences`` (its most relevant summary sentence, quoted).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date

from agent._filing_sentences import filing_lead, filing_summary
from agent._lead_common import Lead, evidence_for, level_text, money, number, period_label, say
from agent._lead_compare import compare_lead
from agent._lead_passages import passages_lead
from agent._lead_research import (
    backtest_lead,
    direction_lead,
    figure_lead,
    model_record_lead,
    position_lead,
    sentiment_lead,
    signal_verdict_lead,
)
from agent._lead_technical import indicator_lead, overbought_lead, regime_lead, trend_lead
from agent._lead_track import track_record_lead
from agent._lead_why import why_lead
from agent.answer import Reason, citation_ids
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from agent.request import Ask

__all__ = ["Lead", "lead_sentence", "write_lead"]

log = logging.getLogger(__name__)

Builder = Callable[[ParsedQuestion, Ledger, str | None, date], Lead | None]
_DEFAULT_LEVEL = 0.95


def _var(q: ParsedQuestion, ledger: Ledger, ticker: str | None, as_of: date) -> Lead | None:
    """VaR (or CVaR for the cvar ask) at the level and horizon asked, historical simulation."""
    ev = evidence_for(ledger, "risk", ticker)
    if ev is None:
        return None
    rows = [r for r in ev.values["results"] if r["method"] == "historical" and number(r["var"])]
    if not rows:
        return None
    level = q.quantity.level or q.var_level or _DEFAULT_LEVEL
    horizon = q.quantity.horizon_days or q.horizon_days or 1
    row = min(rows, key=lambda r: (abs(r["horizon_days"] - horizon), abs(r["level"] - level)))
    sentence = say(
        "lead_cvar" if q.ask == "cvar" else "lead_var",
        [ev],
        ticker=ev.tickers[0],
        level=level_text(row["level"]),
        horizon=row["horizon_days"],
        var=row["var"],
        cvar=row["cvar"],
        as_of=ev.as_of,
    )
    held = ev.values.get("position_value")
    if held is not None and number(row.get("var_amount")) is not None:  # "if I hold $100k"
        loss = row["cvar_amount"] if q.ask == "cvar" else row["var_amount"]
        text = sentence.text.replace(
            f" as of {ev.as_of}",
            f" as of {ev.as_of}, a loss of {money(loss, q.quantity.currency)} on "
            f"{money(held, q.quantity.currency)} held",
            1,
        )
        sentence = sentence.model_copy(update={"text": text})
    missed = [
        name
        for name, off in (
            ("level", abs(row["level"] - level) > 1e-9),
            ("horizon", row["horizon_days"] != horizon),
        )
        if off
    ]
    notes = [say("lead_risk_nearest", [ev], what=" and ".join(missed))] if missed else []
    return Lead(sentence, notes)


def _volatility(q: ParsedQuestion, ledger: Ledger, ticker: str | None, as_of: date) -> Lead | None:
    period = evidence_for(ledger, "period", ticker)
    if period is not None and number(period.values.get("volatility_annual")) is not None:
        v = period.values
        return Lead(
            say(
                "lead_volatility_period",
                [period],
                ticker=period.tickers[0],
                label=period_label(q, v),
                start=v["start_date"],
                end=v["end_date"],
                vol=v["volatility_annual"],
            )
        )
    risk = evidence_for(ledger, "risk", ticker)
    if risk is None:
        return None
    w = risk.window
    return Lead(
        say(
            "lead_volatility",
            [risk],
            ticker=risk.tickers[0],
            vol=risk.values["volatility_annual"],
            n=w.bars,
            start=w.start,
            end=w.end,
        )
    )


def _drawdown(q: ParsedQuestion, ledger: Ledger, ticker: str | None, as_of: date) -> Lead | None:
    period = evidence_for(ledger, "period", ticker)
    if period is not None:
        v = period.values
        return Lead(
            say(
                "lead_drawdown_period",
                [period],
                ticker=period.tickers[0],
                label=period_label(q, v),
                start=v["start_date"],
                end=v["end_date"],
                dd=v["max_drawdown"],
            )
        )
    market = evidence_for(ledger, "market", ticker)
    if market is not None and number(market.values.get("drawdown_from_peak_52w")) is not None:
        v = market.values
        return Lead(
            say(
                "lead_drawdown_from_peak",
                [market],
                ticker=market.tickers[0],
                close=v["close"],
                bar_date=v["bar_date"],
                dd=v["drawdown_from_peak_52w"],
                peak=v["close_high_52w"],
                peak_date=v["close_high_date_52w"],
            )
        )
    risk = evidence_for(ledger, "risk", ticker)
    if risk is None:
        return None
    dd = risk.values["drawdown"]
    return Lead(
        say(
            "lead_drawdown_forward",
            [risk],
            ticker=risk.tickers[0],
            days=dd["horizon_days"],
            median=dd["quantiles"]["0.5"],
            ruin=dd["ruin_probability"],
            threshold=dd["ruin_threshold"],
        )
    )


_TRAILING = (1, 5, 20, 60, 250)


def _return(q: ParsedQuestion, ledger: Ledger, ticker: str | None, as_of: date) -> Lead | None:
    period = evidence_for(ledger, "period", ticker)
    which = (q.quantity.metric or "").removesuffix("_month")
    if period is not None and which in ("best", "worst") and f"{which}_month" in period.values:
        v = period.values
        return Lead(
            say(
                "lead_month",
                [period],
                ticker=period.tickers[0],
                which=which,
                label=period_label(q, v),
                month=v[f"{which}_month"],
                ret=v[f"{which}_month_return"],
                total=v["return"],
            )
        )
    if period is not None:
        v = period.values
        sentence = say(
            "lead_return_period",
            [period],
            ticker=period.tickers[0],
            ret=v["return"],
            label=period_label(q, v),
            start_close=v["start_close"],
            base=v.get("base_date") or v["start_date"],
            end_close=v["end_close"],
            end=v["end_date"],
        )
        if number(v.get("amount_end")) is not None:  # "what would $10k be worth?"
            grown = (
                f", so {money(v['amount'], q.quantity.currency)} invested at the start became "
                f"{money(v['amount_end'], q.quantity.currency)} (price return, before costs)"
            )
            text = sentence.text.replace(" [", grown + " [", 1)
            sentence = sentence.model_copy(update={"text": text})
        return Lead(sentence)
    market = evidence_for(ledger, "market", ticker)
    if market is None:
        return None
    v = market.values
    trailing = {n: v.get(f"return_{n}d") for n in (20, 60, 250)}
    if not (q.quantity.horizon_days or q.horizon_days) and all(
        number(r) is not None for r in trailing.values()
    ):  # "how has it performed?": the month, the quarter and the year, in one sentence
        sentence = say(
            "lead_return_trailing_all",
            [market],
            ticker=market.tickers[0],
            r20=trailing[20],
            r60=trailing[60],
            r250=trailing[250],
            bar_date=v["bar_date"],
            close=v["close"],
        )
        return Lead(sentence)
    asked = q.quantity.horizon_days or q.horizon_days or 250
    days = min(_TRAILING, key=lambda n: (abs(n - asked), -n))
    if market.values.get(f"return_{days}d") is None:  # too little history for that window
        days = max(
            (n for n in _TRAILING if market.values.get(f"return_{n}d") is not None), default=1
        )
    v = market.values
    sentence = say(
        "lead_return_trailing",
        [market],
        ticker=market.tickers[0],
        days=days,
        bar_date=v["bar_date"],
        ret=v.get(f"return_{days}d"),
        close=v["close"],
    )
    return Lead(sentence)


def _price(q: ParsedQuestion, ledger: Ledger, ticker: str | None, as_of: date) -> Lead | None:
    ev = evidence_for(ledger, "market", ticker) or evidence_for(ledger, "technicals", ticker)
    if ev is None:
        return None
    bar_date = ev.values.get("bar_date") or ev.values.get("technical", {}).get("bar_date")
    close = ev.values["close"]
    return Lead(say("lead_price", [ev], ticker=ev.tickers[0], close=close, bar_date=bar_date))


def _asked_sides(q: ParsedQuestion) -> tuple[bool, bool]:
    """(high, low): which ends of the range were asked for (both unless only one was named)."""
    words = set(re.findall(r"[a-z0-9_]+", q.normalized)) | {q.quantity.metric or ""}
    high = bool(words & {"high", "highs", "highest", "peak", "high_52w"})
    low = bool(words & {"low", "lows", "lowest", "bottom", "low_52w"})
    return (high or not low, low or not high)


def _range(q: ParsedQuestion, ledger: Ledger, ticker: str | None, as_of: date) -> Lead | None:
    high, low = _asked_sides(q)
    period = evidence_for(ledger, "period", ticker)
    if period is not None:
        v = period.values
        parts = ([f"high was {v['high']:.2f}"] if high else []) + (
            [f"low was {v['low']:.2f}"] if low else []
        )
        return Lead(
            say(
                "lead_range_period",
                [period],
                ticker=period.tickers[0],
                which=" and its ".join(parts),
                label=period_label(q, v),
                start=v["start_date"],
                end=v["end_date"],
            )
        )
    market = evidence_for(ledger, "market", ticker)
    if market is None:
        return None
    v = market.values
    parts = ([f"high is {v['high_52w']:.2f}"] if high else []) + (
        [f"low is {v['low_52w']:.2f}"] if low else []
    )
    which = " and its 52-week ".join(parts) + f" as of {v['bar_date']}"
    return Lead(say("lead_range_52w", [market], ticker=market.tickers[0], which=which))


_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "about",
        "that",
        "this",
        "what",
        "does",
        "its",
        "their",
        "risk",
        "risks",
    ]
)


def _names(text: str, topic: str) -> bool:
    """Whether ``text`` names the topic: every content word of it, by its first five letters
    ("supply chain risks" -> suppl, chain)."""
    words = [w for w in re.findall(r"[a-z]+", topic.lower()) if len(w) > 3 and w not in _STOP]
    low = text.lower()
    return bool(words) and all(w[:5] in low for w in words)


def _filing(q: ParsedQuestion, ledger: Ledger, ticker: str | None, as_of: date) -> Lead | None:
    """What the filing says (``agent._filing_sentences``): its most relevant summary sentence,
    quoted and cited, then the summary's other sentences."""
    found = ledger.by_kind("filing")
    if not found:
        return None  # the writer says that nothing matched
    topic = q.scope.topic if q.scope else None
    section = q.scope.section if q.scope else None
    text = filing_lead(found, topic=topic, section=section, as_of=as_of)
    if q.verdict is not None and q.verdict.kind == "yes_no" and topic:
        # "Does the 10-K mention supply chain risks?": yes when the quoted sentence names it
        text = ("Yes -- " if _names(text, topic) else "Not in those words -- ") + text
    ids = list(dict.fromkeys(i for i, _ in citation_ids(text))) or [found[0].id]
    notes = [
        Reason(text=t, citations=[i for i, _ in citation_ids(t)] or ids)
        for t in filing_summary(found, topic=topic, section=section, as_of=as_of)
    ]
    return Lead(Reason(text=text, citations=ids), notes)


_BUILDERS: dict[Ask, Builder] = {
    "signal": signal_verdict_lead,
    "filing": _filing,
    "var": _var,
    "cvar": _var,
    "volatility": _volatility,
    "drawdown": _drawdown,
    "return": _return,
    "price": _price,
    "range": _range,
    "indicator": indicator_lead,
    "overbought": overbought_lead,
    "trend": trend_lead,
    "regime": regime_lead,
    "position_size": position_lead,
    "backtest": backtest_lead,
    "model_record": model_record_lead,
    "track_record": track_record_lead,
    "direction": direction_lead,
    "compare": compare_lead,
    "sentiment": sentiment_lead,
    "filing_figure": figure_lead,
    "news": passages_lead,
    "call": passages_lead,
    "why": why_lead,
}


def write_lead(q: ParsedQuestion | None, ledger: Ledger, *, as_of: date) -> Lead | None:
    """The lead sentence of the answer to ``q`` and the notes that follow it; None when the ask
    leads with something else (the signal block, a filing's passages) or the evidence it needs
    is missing (the writer then answers as before, from whatever evidence there is)."""
    if q is None or q.ask is None or q.ask not in _BUILDERS:
        return None
    ticker = q.tickers[0] if q.tickers else None
    try:
        return _BUILDERS[q.ask](q, ledger, ticker, as_of)
    except (KeyError, TypeError, ValueError, IndexError) as err:  # an unexpected evidence shape
        log.warning("no lead sentence for the %s ask: %s", q.ask, err)
        return None


def lead_sentence(q: ParsedQuestion | None, ledger: Ledger, *, as_of: date) -> Reason | None:
    """The first sentence answering ``q`` from ``ledger`` (text with its citations), or None."""
    lead = write_lead(q, ledger, as_of=as_of)
    return lead.sentence if lead else None
