"""Lead sentences from the technicals and the signal's regime: one indicator's value as asked
(the Bollinger band width, an SMA, MACD against its signal line), yes/no on overbought or
oversold (the product's own RSI lines: ``quant.signals.config.TechnicalRules``), yes/no on a
trend, and bull/bear for the regime."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from agent._lead_common import Lead, evidence_for, say
from agent._offline_sentences import technicals_text
from agent.answer import Reason
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from quant.signals.config import TechnicalRules
from tools.evidence import Evidence

__all__ = ["indicator_lead", "overbought_lead", "regime_lead", "trend_lead"]

_RULES = TechnicalRules()
_WIDTH = re.compile(r"\bwid(?:th|e|er|ening)\b|\bsqueez")
_BANDWIDTH = {"bb_bandwidth", "bb_width", "bandwidth", "bollinger_width", "bollinger_bandwidth"}
# the RSI lines written as words: they are the product's convention, not evidence values
_TENS = {10: "ten", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty"}
_TENS |= {70: "seventy", 80: "eighty", 90: "ninety"}


def _words(line: float) -> str:
    return _TENS.get(int(line), "its line") if float(line).is_integer() else "its line"


def _tech(ledger: Ledger, ticker: str | None) -> tuple[Evidence, dict[str, Any], str] | None:
    ev = evidence_for(ledger, "technicals", ticker)
    if ev is None:
        return None
    return ev, ev.values["indicators"], ev.values["technical"]["bar_date"]


def _average_key(metric: str) -> str | None:
    m = re.fullmatch(r"(sma|ema)_?(\d+)", metric)
    return f"{m.group(1)}_{m.group(2)}" if m else None


_NAMES = {
    "bb_pct_b": "Bollinger %b",
    "bb_upper": "upper Bollinger band",
    "bb_lower": "lower Bollinger band",
    "bb_middle": "middle Bollinger band",
    "stoch_slowk": "slow stochastic %K",
    "stoch_slowd": "slow stochastic %D",
}


def _name(key: str) -> str:
    """An indicator key as the answer names it: sma_50 -> SMA50, adx_14 -> ADX(14)."""
    if key in _NAMES:
        return _NAMES[key]
    if m := re.fullmatch(r"(sma|ema)_(\d+)", key):
        return f"{m.group(1).upper()}{m.group(2)}"
    if m := re.fullmatch(r"([a-z_]+?)_(\d+)", key):
        return f"{m.group(1).replace('_', ' ').upper()}({m.group(2)})"
    return key.replace("_", " ").upper()


_BULL_OR_BEAR = re.compile(r"\b(?:bullish|bearish|bull|bear|saying|telling|mean|means|read)\b")
_PCT_B = re.compile(r"%\s?b\b|\bpercent\s?b\b|\bpct\s?b\b")
_WINDOWS = re.compile(
    r"\b(\d{2,3})(?=(?:[-\s]?(?:day|d|dma|sma)\b|\s+and\s+\d{2,3}[-\s]?(?:day|d)\b))"
)
# "is it outside the bands?", "above the upper band?", "inside the Bollinger bands?"
_BAND_SIDE = re.compile(
    r"\b(outside|inside|within|above|over|below|under|beyond|break\w*|pierc\w*)\b.{0,30}\bbands?\b"
)


def band_position(pct_b: float) -> str:
    """Where a close stands against its Bollinger bands, from %b."""
    if pct_b > 1:
        return "above the upper band"
    return "below the lower band" if pct_b < 0 else "inside the bands"


def _bands(ev: Evidence, ind: dict[str, Any], day: str, asked: str) -> Lead:
    """Yes/no on where the close stands against the Bollinger bands, with both bands."""
    pct_b = ind["bb_pct_b"]
    where = band_position(pct_b)
    if asked in ("inside", "within"):
        yes = 0 <= pct_b <= 1
    elif asked in ("above", "over"):
        yes = pct_b > 1
    elif asked in ("below", "under"):
        yes = pct_b < 0
    else:  # outside, beyond, breaking, piercing
        yes = not 0 <= pct_b <= 1
    return Lead(
        say(
            "lead_bands",
            [ev],
            answer="Yes" if yes else "No",
            ticker=ev.tickers[0],
            close=ev.values["close"],
            bar_date=day,
            where=where,
            lower=ind["bb_lower"],
            upper=ind["bb_upper"],
            pct_b=pct_b,
        )
    )


def _averages(ev: Evidence, ind: dict[str, Any], day: str, keys: list[str]) -> Lead:
    """Where the close stands against each moving average named."""
    close = ev.values["close"]
    parts = [
        f"{'above' if close > ind[k] else 'below' if close < ind[k] else 'at'} its {_name(k)} "
        f"of {ind[k]:.2f}"
        for k in keys
    ]
    text = ", ".join(parts[:-1]) + " and " + parts[-1]
    return Lead(
        say("lead_sma_many", [ev], ticker=ev.tickers[0], close=close, bar_date=day, parts=text)
    )


def _average(ev: Evidence, ind: dict[str, Any], day: str, metric: str) -> Lead:
    key = _average_key(metric) or "sma_200"
    close = ev.values["close"]
    if key in ind:
        value = ind[key]
        relation = "above" if close > value else "below" if close < value else "at"
        text = dict(name=_name(key), value=value, bar_date=day, close=close, relation=relation)
        return Lead(say("lead_sma", [ev], ticker=ev.tickers[0], **text))
    kind, n = key.split("_")
    computed = [k for k in ind if k.startswith(f"{kind}_") and k.split("_")[1].isdigit()]
    near = min(computed, key=lambda k: abs(int(k.split("_")[1]) - int(n)))
    return Lead(
        say(
            "lead_indicator_missing",
            [ev],
            what="moving average",
            ticker=ev.tickers[0],
            name=_name(near),
            value=f"{ind[near]:.2f}",
            bar_date=day,
        )
    )


def indicator_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """The asked indicator's value; the technicals sentence when none is named."""
    found = _tech(ledger, ticker)
    if found is None:
        return None
    ev, ind, day = found
    metric = (q.quantity.metric or "").lower()
    if metric.startswith(("bb", "bollinger")) and _WIDTH.search(q.normalized):
        metric = "bb_bandwidth"  # "how wide are the bands", whatever the metric says
    if metric in _BANDWIDTH:
        return Lead(
            say(
                "lead_bandwidth",
                [ev],
                ticker=ev.tickers[0],
                width=ind["bb_bandwidth"],
                upper=ind["bb_upper"],
                lower=ind["bb_lower"],
                middle=ind["bb_middle"],
                bar_date=day,
            )
        )
    if metric.startswith("macd"):
        relation = "above" if ind["macd"] > ind["macd_signal"] else "below"
        values = dict(macd=ind["macd"], signal=ind["macd_signal"], hist=ind["macd_hist"])
        lead = say(
            "lead_macd", [ev], ticker=ev.tickers[0], relation=relation, bar_date=day, **values
        )
        if _BULL_OR_BEAR.search(q.normalized):  # "MACD on MSFT: bullish or bearish?"
            word = "Bullish" if relation == "above" else "Bearish"
            lead = lead.model_copy(update={"text": f"{word} -- {lead.text}"})
        return Lead(lead)
    if metric.startswith(("bb", "bollinger", "percent_b")) and (
        side := _BAND_SIDE.search(q.normalized)
    ):
        return _bands(ev, ind, day, side.group(1).lower())
    if metric in ("bollinger", "bb", "bb_pct_b") and not _PCT_B.search(q.normalized):
        return Lead(  # "where are the bollinger bands?": the bands themselves
            say(
                "lead_band_levels",
                [ev],
                ticker=ev.tickers[0],
                bar_date=day,
                upper=ind["bb_upper"],
                middle=ind["bb_middle"],
                lower=ind["bb_lower"],
                close=ev.values["close"],
                pct_b=ind["bb_pct_b"],
            )
        )
    if _average_key(metric) or metric in ("sma", "ema", "moving_average"):
        named = [f"sma_{n}" for n in dict.fromkeys(_WINDOWS.findall(q.normalized))]
        named = [k for k in named if k in ind]
        if len(named) >= 2:  # "relative to its 50 and 200 day moving averages"
            return _averages(ev, ind, day, named)
        return _average(ev, ind, day, metric if _average_key(metric) else "sma_200")
    key = {"rsi": "rsi_14", "bollinger": "bb_pct_b", "percent_b": "bb_pct_b"}.get(metric, metric)
    if not metric:  # "show me the technicals": their verdict first, then the indicators
        tech, weekly = ev.values["technical"], ev.values["weekly"]
        return Lead(
            say(
                "lead_technicals",
                [ev],
                ticker=ev.tickers[0],
                action=tech["action"],
                score=tech["score"],
                weekly=weekly["score"],
                weekly_action=weekly["action"],
                bar_date=day,
                rsi=ind["rsi_14"],
                macd=ind["macd"],
                macd_signal=ind["macd_signal"],
                sma50=ind["sma_50"],
                sma200=ind["sma_200"],
                pct_b=ind["bb_pct_b"],
            )
        )
    if key not in ind:
        return Lead(Reason(text=technicals_text(ev), citations=[ev.id]))
    value = f"{ind[key]:.1f}" if key.startswith("rsi") else f"{ind[key]:.2f}"
    name = _name(key)
    return Lead(
        say("lead_indicator", [ev], ticker=ev.tickers[0], name=name, value=value, bar_date=day)
    )


def overbought_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """Yes/no on overbought (RSI at or above the product's upper line) or oversold (at or
    below its lower line), with where the close sits against the Bollinger bands."""
    found = _tech(ledger, ticker)
    if found is None:
        return None
    ev, ind, day = found
    wanted = (q.verdict.predicate if q.verdict else "") or q.normalized
    oversold = "oversold" in wanted and "overbought" not in wanted
    rsi, pct_b = ind["rsi_14"], ind["bb_pct_b"]
    if oversold:
        line = _RULES.rsi_center - _RULES.rsi_span
        state, yes, rule = "oversold", rsi <= line, f"oversold means {_words(line)} or less"
    else:
        line = _RULES.rsi_center
        state, yes, rule = "overbought", rsi >= line, f"overbought means {_words(line)} or more"
    band = band_position(pct_b)
    return Lead(
        say(
            "lead_overbought",
            [ev],
            answer="Yes" if yes else "No",
            ticker=ev.tickers[0],
            verdict=state if yes else f"not {state}",
            rsi=rsi,
            bar_date=day,
            rule=rule,
            pct_b=pct_b,
            band=band,
        )
    )


def trend_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """Yes/no on a trend question: above/below a moving average (SMA200 when none is named,
    down for "downtrend"), or the golden/death-cross alignment of SMA50 and SMA200."""
    found = _tech(ledger, ticker)
    if found is None:
        return None
    ev, ind, day = found
    predicate = ((q.verdict.predicate if q.verdict else "") or q.normalized).lower()
    if "golden" in predicate or "death" in predicate:
        golden = ind["sma_50"] > ind["sma_200"]
        asked_golden = "golden" in predicate
        return Lead(
            say(
                "lead_cross",
                [ev],
                answer="Yes" if golden == asked_golden else "No",
                ticker=ev.tickers[0],
                sma50=ind["sma_50"],
                sma200=ind["sma_200"],
                relation="above" if golden else "below",
                bar_date=day,
                meaning="the golden-cross side" if golden else "the death-cross side",
            )
        )
    m = re.search(r"(sma|ema)[ _]?(\d+)", predicate)
    key = f"{m.group(1)}_{m.group(2)}" if m and f"{m.group(1)}_{m.group(2)}" in ind else "sma_200"
    close, value = ev.values["close"], ind[key]
    above = close > value
    down = bool(re.search(r"\bbelow\b|\bdown", predicate))
    if q.verdict is None and not m:
        answer = "Up" if above else "Down"
    else:
        answer = "Yes" if above != down else "No"
    return Lead(
        say(
            "lead_trend",
            [ev],
            answer=answer,
            ticker=ev.tickers[0],
            close=close,
            bar_date=day,
            relation="above" if above else "below",
            name=_name(key),
            value=value,
        )
    )


_REGIME_ANSWER = {"bull": "Bull", "bear": "Bear", "choppy": "Neither bull nor bear"}
_CHOPPY = ": mixed trend signals, a flat short-term average, or an uptrend in extreme volatility"


def regime_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """Bull, bear, or neither (the regime model's "choppy"), from the signal's regime."""
    sig = evidence_for(ledger, "signal", ticker)
    regime = sig.values.get("regime") if sig is not None else None
    if sig is None or regime not in _REGIME_ANSWER:
        return None
    cited = [sig]
    detail = _CHOPPY if regime == "choppy" else ""
    found = _tech(ledger, ticker)
    if found is not None and regime != "choppy":
        ev, ind, _day = found
        close, sma = ev.values["close"], ind["sma_200"]
        side = "above" if close > sma else "below"
        detail = f", with the close at {close:.2f} {side} its SMA200 of {sma:.2f}"
        cited.append(ev)
    return Lead(
        say(
            "lead_regime",
            cited,
            answer=_REGIME_ANSWER[regime],
            ticker=sig.tickers[0],
            regime=regime,
            as_of=sig.as_of,
            detail=detail,
        )
    )
