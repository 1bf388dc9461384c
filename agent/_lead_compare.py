"""The lead of a comparison: which company is more X (riskier, safer, more volatile, stronger
momentum or signal), named first, with the number that decides it for each company."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from agent._lead_common import Lead, number, period_label, say
from agent.answer import Reason
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from tools.evidence import Evidence

__all__ = ["compare_lead"]

_LOW_WINS = re.compile(r"\b(?:safer|safest|less|least|lower|lowest|weaker|weakest|worse|worst)\b")
# (the higher one, the lower one) for two companies, then for three or more
_VERBS = {
    "var_95_1d": (("is the riskier", "is the safer"), ("is the riskiest", "is the safest")),
    "volatility_annual": (
        ("is the more volatile", "is the less volatile"),
        ("is the most volatile", "is the least volatile"),
    ),
    "return": (
        ("has the stronger momentum", "has the weaker momentum"),
        ("has the strongest momentum", "has the weakest momentum"),
    ),
    "score": (
        ("has the stronger signal", "has the weaker signal"),
        ("has the strongest signal", "has the weakest signal"),
    ),
}


def _key(metric: str, predicate: str, rows: dict[str, dict[str, Any]]) -> str:
    if metric == "risk":
        return "volatility_annual" if "volatil" in predicate else "var_95_1d"
    if metric == "momentum":
        for key in ("return_250d", "return_60d", "return_20d"):
            if all(number(r.get(key)) is not None for r in rows.values()):
                return key
        return "return_20d"
    return "score"


def _others(values: list[tuple[str, float]], fmt: str) -> str:
    return " and ".join(f"{fmt.format(x)} for {t}" for t, x in values)


def _detail(key: str, winner: str, ranked: list[tuple[str, float]], rows: dict) -> str:
    """The deciding number for the winner and the others, and one supporting column."""
    rest = [(t, x) for t, x in ranked if t != winner]
    win = rows[winner]
    if key == "score":
        others = " and ".join(f"{rows[t]['action']} at {x:.2f} for {t}" for t, x in rest)
        return f": {win['action']} at score {win['score']:.2f} against {others}"
    if key.startswith("return_"):
        days = key.removeprefix("return_").removesuffix("d")
        text = f" by {days}-day return: {win[key]:+.1%} against {_others(rest, '{:+.1%}')}"
        side = [(t, rows[t].get("rsi_14")) for t, _ in rest]
        if number(win.get("rsi_14")) is not None and all(number(x) is not None for _, x in side):
            text += f" (RSI(14) {win['rsi_14']:.1f} vs {_others(side, '{:.1f}')})"
        return text
    if key == "var_95_1d":
        text = f" by 95% 1-day VaR: {win[key]:.2%} against {_others(rest, '{:.2%}')}"
        other = "volatility_annual"
        name, fmt = "annual volatility", "{:.2%}"
    else:
        text = f" by annual volatility: {win[key]:.2%} against {_others(rest, '{:.2%}')}"
        other, name, fmt = "var_95_1d", "95% 1-day VaR", "{:.2%}"
    side = [(t, rows[t].get(other)) for t, _ in rest]
    if number(win.get(other)) is not None and all(number(x) is not None for _, x in side):
        text += f" ({name} {fmt.format(win[other])} vs {_others(side, fmt)})"
    return text


def _one_left(ev: Evidence, ranked: list[tuple[str, float]]) -> Lead | None:
    """Only one company has the data: no ranking, and why the others are left out."""
    unavailable: dict[str, str] = ev.values.get("unavailable") or {}
    if len(ranked) != 1 or not unavailable:
        return None
    left_out = "; ".join(f"{t} is left out ({reason})" for t, reason in unavailable.items())
    return Lead(
        say("lead_compare_one", [ev], ticker=ranked[0][0], as_of=ev.as_of, left_out=left_out)
    )


def compare_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """Which of the compared companies is more X, by the comparison evidence's metric."""
    found = ledger.by_kind("comparison")
    if not found:
        return _period_compare(q, ledger)
    ev = found[0]
    rows: dict[str, dict[str, Any]] = ev.values["by_ticker"]
    predicate = f"{q.verdict.predicate if q.verdict else ''} {q.normalized}".lower()
    key = _key(ev.values["metric"], predicate, rows)
    ranked = [(t, float(r[key])) for t, r in rows.items() if number(r.get(key)) is not None]
    if len(ranked) < 2:
        return _one_left(ev, ranked)
    low = bool(_LOW_WINS.search(predicate))
    ranked.sort(key=lambda item: item[1], reverse=not low)
    winner = ranked[0][0]
    verbs = _VERBS["return" if key.startswith("return_") else key]
    verb = verbs[0 if len(ranked) == 2 else 1][1 if low else 0]
    if ranked[0][1] == ranked[1][1]:
        verb = "is level with the others"
    sentence = say(
        "lead_compare",
        [ev],
        winner=winner,
        verb=verb,
        detail=_detail(key, winner, ranked, rows),
        as_of=ev.as_of,
    )
    return Lead(_answered(q, sentence, winner, ranked))


# (the higher one, the lower one) for two companies, then for three or more, over a window
_PERIOD_VERBS = {
    "return": (("did better", "did worse"), ("did best", "did worst")),
    "volatility_annual": (
        ("was the more volatile", "was the less volatile"),
        ("was the most volatile", "was the least volatile"),
    ),
}


_LOW_RETURN = re.compile(r"\b(?:worse|worst|lower|lagg?\w*|underperform\w*|trail\w*)\b")


def _period_compare(q: ParsedQuestion, ledger: Ledger) -> Lead | None:
    """ "Which did better in 2011?", "Did Google beat the market over the past three months?":
    the companies ranked by their return (or realised volatility) over the window asked."""
    by_ticker: dict[str, Evidence] = {}
    for ev in ledger.by_kind("period"):
        by_ticker.setdefault(ev.tickers[0], ev)
    key = "volatility_annual" if q.quantity.metric == "volatility" else "return"
    ranked = [
        (t, float(ev.values[key]))
        for t, ev in by_ticker.items()
        if number(ev.values.get(key)) is not None
    ]
    if len(ranked) < 2:
        return None
    predicate = f"{q.verdict.predicate if q.verdict else ''} {q.normalized}".lower()
    low = bool((_LOW_WINS if key == "volatility_annual" else _LOW_RETURN).search(predicate))
    ranked.sort(key=lambda item: item[1], reverse=not low)
    winner, best = ranked[0]
    fmt = "{:.2%} a year" if key == "volatility_annual" else "{:+.1%}"
    v = by_ticker[winner].values
    sentence = say(
        "lead_compare_period",
        [by_ticker[t] for t, _ in ranked],
        winner=winner,
        verb=_PERIOD_VERBS[key][0 if len(ranked) == 2 else 1][1 if low else 0]
        if ranked[0][1] != ranked[1][1]
        else "is level with the others",
        label=period_label(q, v),
        measure="realised volatility" if key == "volatility_annual" else "return",
        value=fmt.format(best),
        others=_others(ranked[1:], fmt),
        base=v.get("base_date") or v["start_date"],
        end=v["end_date"],
    )
    return Lead(_answered(q, sentence, winner, ranked))


def _answered(q: ParsedQuestion, sentence: Reason, winner: str, ranked: list) -> Reason:
    """ "Is Google stronger than the S&P 500?": the yes/no, about the company asked first, leads
    the ranking sentence (a tie is a no)."""
    if q.verdict is None or q.verdict.kind != "yes_no" or not q.tickers:
        return sentence
    yes = winner == q.tickers[0] and ranked[0][1] != ranked[1][1]
    return sentence.model_copy(update={"text": ("Yes -- " if yes else "No -- ") + sentence.text})
