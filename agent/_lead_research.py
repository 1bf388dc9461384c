"""Lead sentences from the signal, backtest, forecast, comparison, sentiment, filing-figure and
passage evidence: a size in currency, how a strategy did against its baseline, whether the model
held up, the chance of an up move (or that no model is trained), which company is more X, the
sentiment's sign, a figure and its growth, and what a news or call search found."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from agent._lead_common import Lead, amount, evidence_for, money, number, say
from agent.ledger import Ledger
from agent.question import ParsedQuestion
from quant.signals.action import Action

__all__ = [
    "backtest_lead",
    "direction_lead",
    "figure_lead",
    "model_record_lead",
    "position_lead",
    "sentiment_lead",
]


def position_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """The signal's size: in currency for the account size asked, else as a fraction."""
    sig = evidence_for(ledger, "signal", ticker)
    if sig is None:
        return None
    v = sig.values
    common = dict(ticker=sig.tickers[0], position=v["position_size"], action=v["action"])
    if v.get("account_size") is not None and v.get("position_value") is not None:
        currency = q.quantity.currency
        value = ("-" if v["position_value"] < 0 else "") + money(v["position_value"], currency)
        account = money(v["account_size"], currency)
        return Lead(
            say(
                "lead_position_account",
                [sig],
                account=account,
                value=value,
                as_of=sig.as_of,
                **common,
            )
        )
    return Lead(say("lead_position", [sig], confidence=v["confidence"], as_of=sig.as_of, **common))


# (predicate asked, the action's direction: +1 buy, 0 hold, -1 sell) -> the answer's first word
_SIGNAL_ANSWERS = {
    ("buy", 1): "Yes",
    ("buy", 0): "Not now",
    ("buy", -1): "No",
    ("sell", -1): "Yes",
    ("sell", 0): "Not now",
    ("sell", 1): "No",
    ("hold", 0): "Yes",
    ("hold", 1): "No",
    ("hold", -1): "No",
    ("bullish", 1): "Yes",
    ("bullish", 0): "Neutral",
    ("bullish", -1): "No",
    ("bearish", -1): "Yes",
    ("bearish", 0): "Neutral",
    ("bearish", 1): "No",
}


def signal_verdict_lead(
    q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date
) -> Lead | None:
    """ "Should I buy X?", "Is X a buy?", "Are you bullish on X?": yes, no or not now, with the
    signal's action; None for a signal question that asks no yes/no (its block leads)."""
    if q.verdict is None or q.verdict.kind != "yes_no":
        return None
    sig = evidence_for(ledger, "signal", ticker)
    if sig is None:
        return None
    v = sig.values
    direction = Action(v["action"]).direction
    answer = _SIGNAL_ANSWERS.get((q.verdict.predicate, direction))
    if answer is None:
        return None
    return Lead(
        say(
            "lead_signal_verdict",
            [sig],
            answer=answer,
            ticker=sig.tickers[0],
            action=v["action"],
            score=v["score"],
            confidence=v["confidence"],
            as_of=sig.as_of,
        )
    )


_STRATEGIES = {"ml": "ML", "buy_and_hold": "buy-and-hold", "sma_cross": "SMA-crossover"}
_BASELINES = {"buy_and_hold": "buy and hold", "sma_cross": "the SMA crossover"}
# metric asked -> (report key, name in the sentence, format)
_METRICS = {
    "sharpe": ("sharpe", "Sharpe", "{:.2f}"),
    "max_drawdown": ("max_drawdown", "max drawdown", "{:.1%}"),
    "drawdown": ("max_drawdown", "max drawdown", "{:.1%}"),
    "annual_return": ("annual_return", "annual return", "{:.1%}"),
}


_PERFORMANCE = re.compile(r"\b(return|sharpe|drawdown|draw-down|made|earn|perform)")
_NAMED = {"shar": "sharpe", "draw": "max_drawdown"}


def _metric_text(asked: str, wf: dict[str, Any], base: dict[str, Any]) -> str:
    """ "0.3% a year against 25.1% (Sharpe 0.08 vs 0.97, max drawdown -24.1% vs -60.0%)" with
    the asked metric first."""
    key, _, fmt = _METRICS[asked]
    head = fmt.format(wf[key]) + (" a year" if key == "annual_return" else "")
    head += " against " + fmt.format(base[key])
    rest = [
        f"{name} {fmt_.format(wf[k])} vs {fmt_.format(base[k])}"
        for k, name, fmt_ in dict.fromkeys(m for m in _METRICS.values())
        if k != key and wf.get(k) is not None and base.get(k) is not None
    ]
    return head + (f" ({', '.join(rest)})" if rest else "")


def backtest_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """How the strategy did against the baseline asked (buy and hold by default) on the metric
    asked (annual return by default), walk-forward after costs; the costs when asked."""
    ev = evidence_for(ledger, "backtest", ticker)
    if ev is None:
        return None
    v = ev.values
    wf, baselines = v["walk_forward"], v["baselines"]
    usable = {n: r for n, r in baselines.items() if r.get("sharpe") is not None}
    wanted = q.quantity.baseline if q.quantity.baseline in usable else "buy_and_hold"
    name = wanted if wanted in usable else next(iter(usable), None)
    if name is None:
        return None
    base = usable[name]
    wanted_metric = q.quantity.metric
    if wanted_metric == "costs" and (named := _PERFORMANCE.search(q.normalized)):
        wanted_metric = _NAMED.get(named.group(1)[:4], "annual_return")  # "return after costs"
    asked = wanted_metric if wanted_metric in _METRICS else "annual_return"
    key = _METRICS[asked][0]
    if wf.get(key) is None:
        return None
    verb = "beat" if wf[key] > base[key] else "trailed" if wf[key] < base[key] else "matched"
    strategy = _STRATEGIES.get(v["strategy"], v["strategy"].replace("_", " "))
    sentence = say(
        "lead_backtest",
        [ev],
        strategy=strategy,
        ticker=ev.tickers[0],
        verb=verb,
        baseline=_BASELINES.get(name, name.replace("_", " ")),
        metric_name=_METRICS[asked][1],
        metric_text=_metric_text(asked, wf, base),
        start=wf["start"],
        end=wf["end"],
    )
    if q.quantity.unsupported_strategy:  # "backtest RSI mean reversion": not one we run
        sentence = sentence.model_copy(
            update={
                "text": f"I don't backtest {q.quantity.unsupported_strategy} strategy; the "
                f"closest one I run is the {strategy} strategy: "
                + sentence.text[:1].lower()
                + sentence.text[1:]
            }
        )
    if not (q.quantity.costs or q.quantity.metric == "costs"):
        return Lead(sentence)
    cost = v["cost_per_side"]
    costs = say("lead_backtest_costs", [ev], strategy=strategy, ticker=ev.tickers[0], cost=cost)
    if wanted_metric == "costs":  # "and the costs?": the costs are the answer
        return Lead(costs, [sentence])
    return Lead(sentence, [costs])


def model_record_lead(
    q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date
) -> Lead | None:
    """Yes/no on "has the model held up": the ML strategy's walk-forward record (GO and no
    suspected leak), or a trained model's record when only a forecast is at hand."""
    ev = evidence_for(ledger, "backtest", ticker)
    if ev is not None:
        v = ev.values
        rec, wf = v.get("ml_record"), v["walk_forward"]
        if not rec:
            return Lead(
                say(
                    "lead_model_record_thin",
                    [ev],
                    ticker=ev.tickers[0],
                    sharpe=wf["sharpe"],
                    start=wf["start"],
                    end=wf["end"],
                )
            )
        held = rec["verdict"] == "GO" and not rec.get("leak_suspected")
        return Lead(
            say(
                "lead_model_record",
                [ev],
                answer="Yes" if held else "No",
                held="has held up" if held else "has not held up",
                ticker=ev.tickers[0],
                accuracy=rec["accuracy"],
                baseline=rec["baseline_accuracy"],
                n=f"{rec['n']:,}",
                verdict=rec["verdict"],
                sharpe=wf["sharpe"],
            )
        )
    fc = evidence_for(ledger, "forecast", ticker)
    if fc is None:
        return None
    v = fc.values
    held = v["verdict"] == "GO" and not v.get("leak_suspected")
    return Lead(
        say(
            "lead_model_record_forecast",
            [fc],
            answer="Yes" if held else "No",
            held="has held up" if held else "has not held up",
            ticker=fc.tickers[0],
            horizon=v["horizon_days"],
            accuracy=v["walk_forward"]["accuracy"],
            baseline=v["walk_forward"]["baseline_accuracy"],
            folds=v["folds"],
            verdict=v["verdict"],
        )
    )


_MODEL_WORDS = {1: "next-day", 5: "week-ahead", 20: "month-ahead"}


def direction_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """The model's chance of an up move over its horizon; without a trained model, says so and
    gives the research signal instead."""
    falls = q.verdict is not None and q.verdict.predicate == "down"
    fc = evidence_for(ledger, "forecast", ticker)
    if fc is not None:
        v = fc.values
        h = v["horizon_days"]
        down = falls and number(v.get("prob_down")) is not None
        return Lead(
            say(
                "lead_direction",
                [fc],
                horizon=h,
                ticker=fc.tickers[0],
                side="lower" if down else "higher",
                when="on the next trading day" if h == 1 else f"over the next {h} trading days",
                prob=v["prob_down"] if down else v["prob_up"],
                row_date=v["row_date"],
                accuracy=v["walk_forward"]["accuracy"],
                baseline=v["walk_forward"]["baseline_accuracy"],
                verdict=v["verdict"],
            )
        )
    sig = evidence_for(ledger, "signal", ticker)
    if sig is None:
        return None
    asked = q.quantity.horizon_days or q.horizon_days or 5
    nearest = min(_MODEL_WORDS, key=lambda h: (abs(h - asked), h))
    # the horizon as a number: the planner asked the forecast tool at it, so it is a parameter
    # of the run the verifier accepts (agent.answer_nodes passes the tool calls' numbers)
    horizon = f"{nearest}-day"
    s = sig.values
    return Lead(
        say(
            "lead_direction_no_model",
            [sig],
            horizon=horizon,
            move="falls" if falls else "goes up",
            ticker=sig.tickers[0],
            action=s["action"],
            score=s["score"],
            confidence=s["confidence"],
            as_of=sig.as_of,
        )
    )


def sentiment_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """The sentiment score and its sign; or that there is nothing to score."""
    ev = evidence_for(ledger, "sentiment", ticker)
    if ev is None:
        return None
    v = ev.values
    if not v.get("available") or v.get("score") is None:
        return Lead(say("lead_sentiment_absent", [ev], ticker=ev.tickers[0], as_of=ev.as_of))
    score = v["score"]
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    model = v.get("model") or "the lexicon"
    return Lead(
        say(
            "lead_sentiment",
            [ev],
            ticker=ev.tickers[0],
            as_of=ev.as_of,
            score=score,
            label=label,
            model=model,
        )
    )


def _label(text: str) -> str:
    """A table row's label in a sentence: "Net sales" -> "net sales", "EPS" kept."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def figure_lead(q: ParsedQuestion, ledger: Ledger, ticker: str | None, _: date) -> Lead | None:
    """The figure in the latest fiscal year read, and its change from the year before."""
    ev = evidence_for(ledger, "figure", ticker)
    if ev is None:
        return None
    v = ev.values
    by_year = {int(y): float(x) for y, x in v["by_year"].items() if x is not None}
    if not by_year:
        return None
    year = max(by_year)
    change = ""
    earlier = [y for y in by_year if y < year]
    growth = v.get("growth") or {}
    if earlier:
        prev = max(earlier)
        g = growth.get(f"{prev}-{year}")
        if g is not None:
            way = "up" if g >= 0 else "down"
            change = f", {way} {abs(g):.1%} from {amount(by_year[prev])} in fiscal {prev}"
    label = _label(str(v.get("label") or v.get("figure", "figure").replace("_", " ")))
    return Lead(
        say(
            "lead_figure",
            [ev],
            ticker=ev.tickers[0],
            label=label,
            unit=v.get("unit") or "as reported",
            verb="were" if label.endswith("s") else "was",
            value=amount(by_year[year]),
            year=year,
            change=change,
            form=v.get("form") or "filing",
            filed=v.get("filed") or ev.window.end or ev.as_of,
        )
    )
