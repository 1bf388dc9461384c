"""The sentences of the offline answers: one builder per kind of evidence, each filling the
``prompts/offline.md`` templates with ledger values only (a missing value reads "n/a")."""

from __future__ import annotations

import math
import re
from typing import Any

import prompts
from agent.answer import Reason
from retrieval.inert import inert_text
from tools.evidence import Evidence

_PASSAGE_CHARS = 600
PASSAGE_KINDS = {"filing": "filing", "call": "earnings-call", "news": "news"}


class _Missing:
    """A value the evidence does not have (too little history): shown as "n/a" whatever the
    format spec, so a template never invents or crashes on it."""

    def __format__(self, spec: str) -> str:
        return "n/a"


_NA = _Missing()


def fill(template: str, /, **values: Any) -> str:
    """The ``prompts/offline.md`` template named ``template``, filled with ``values``."""
    filled = {
        k: _NA if v is None or (isinstance(v, float) and math.isnan(v)) else v
        for k, v in values.items()
    }
    return prompts.templates("offline")[template].format(**filled)


def cited(text: str, *ids: str) -> Reason:
    """A reason (or risk) citing the evidence ``ids``."""
    return Reason(text=text, citations=list(ids))


def _pct_label(key: str) -> str:
    if m := re.fullmatch(r"return_(\d+)d", key):
        return f"{m.group(1)}-day return"
    return {
        "rsi_14": "RSI(14)",
        "var_95_1d": "95% 1-day VaR",
        "var_99_1d": "99% 1-day VaR",
        "volatility_annual": "annual volatility",
    }.get(key, key.replace("_", " "))


def _cell(key: str, value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, str):
        return value
    if key.startswith(("return_", "var_", "volatility")):
        return f"{value:+.2%}" if key.startswith("return_") else f"{value:.2%}"
    return f"{value:.2f}" if key == "score" else f"{value:.1f}"


def signal_text(ev: Evidence) -> tuple[str, list[Reason], list[Reason]]:
    v = ev.values
    head = fill(
        "signal_headline",
        ticker=ev.tickers[0],
        action=v["action"],
        as_of=ev.as_of,
        score=v["score"],
        sell=v["thresholds"]["sell"],
        buy=v["thresholds"]["buy"],
        confidence=v["confidence"],
        position=v["position_size"],
        id=ev.id,
    )
    reasons, risks = [], []
    for part, c in v["components"].items():
        if c["score"] is not None:
            text = fill("signal_part", part=part, score=c["score"], weight=c["weight"], id=ev.id)
            reasons.append(cited(text, ev.id))
        else:
            reason = c.get("reason") or "not available"
            text = fill("signal_part_absent", part=part, reason=reason, id=ev.id)
            risks.append(cited(text, ev.id))
    if v.get("regime"):
        notes = "; ".join(v.get("sizing_notes") or []) or "none"
        risks.append(cited(fill("signal_regime", regime=v["regime"], notes=notes, id=ev.id), ev.id))
    return head, reasons, risks


def technicals_text(ev: Evidence, *, labelled: bool = True) -> str:
    """The indicators and the technical score; ``labelled``: with the score's own action
    (HOLD on its own bands), left out beside a confluence signal so one action is shown."""
    v, ind = ev.values, ev.values["indicators"]
    tech, weekly = v["technical"], v.get("weekly") or {}
    return fill(
        "technicals" if labelled else "technicals_unlabelled",
        ticker=ev.tickers[0],
        close=v["close"],
        bar_date=tech["bar_date"],
        rsi=ind["rsi_14"],
        macd=ind["macd"],
        macd_signal=ind["macd_signal"],
        sma50=ind["sma_50"],
        sma200=ind["sma_200"],
        pct_b=ind["bb_pct_b"],
        score=tech["score"],
        action=tech["action"],
        weekly=weekly.get("score", float("nan")),
        weekly_action=weekly.get("action", "n/a"),
        id=ev.id,
    )


def market_text(ev: Evidence) -> str:
    v = ev.values
    return fill(
        "market",
        ticker=ev.tickers[0],
        close=v["close"],
        bar_date=v["bar_date"],
        r1=v["return_1d"],
        r5=v["return_5d"],
        r20=v["return_20d"],
        r60=v["return_60d"],
        r250=v["return_250d"],
        low=v["low_52w"],
        high=v["high_52w"],
        id=ev.id,
    )


_METHOD_NAMES = {
    "normal": "normal",
    "cornish_fisher": "Cornish-Fisher",
    "monte_carlo_gbm": "Monte Carlo",
    "bootstrap": "bootstrap",
    "monte_carlo_bootstrap": "bootstrap",
    "filtered_historical": "filtered historical",
}


def risk_text(ev: Evidence, *, level: float | None, horizon: int | None) -> tuple[str, str, str]:
    """(the historical VaR sentence at the asked level and horizon, the other methods' sentence,
    the volatility/drawdown sentence); a missing one is ""."""
    v = ev.values
    results = v["results"]
    horizons = sorted({r["horizon_days"] for r in results})
    h = horizon if horizon in horizons else horizons[0]
    levels = sorted({r["level"] for r in results})
    lv = level if level in levels else (0.99 if level and level > 0.97 else 0.95)
    lv = lv if lv in levels else levels[-1]
    at = [r for r in results if (r["horizon_days"], r["level"]) == (h, lv) and r["var"] is not None]
    hist = next((r for r in at if r["method"] == "historical"), at[0] if at else None)
    var_text = methods_text = ""
    if hist is not None:
        var_text = fill(
            "risk_var",
            ticker=ev.tickers[0],
            level=lv,
            horizon=h,
            var=hist["var"],
            cvar=hist["cvar"],
            n=hist["n_obs"],
            start=hist["window_start"],
            end=hist["window_end"],
            id=ev.id,
        )
        others = ", ".join(
            f"{_METHOD_NAMES.get(r['method'], r['method'])} {r['var']:.2%}"
            for r in at
            if r is not hist
        )
        if others:
            methods_text = fill("risk_methods", methods=others, id=ev.id)
    dd = v["drawdown"]
    vol_text = fill(
        "risk_volatility",
        vol=v["volatility_annual"],
        dd_days=dd["horizon_days"],
        dd_median=dd["quantiles"]["0.5"],
        ruin_threshold=dd["ruin_threshold"],
        ruin=dd["ruin_probability"],
        id=ev.id,
    )
    return var_text, methods_text, vol_text


def forecast_text(ev: Evidence) -> str:
    v = ev.values
    wf = v["walk_forward"]
    return fill(
        "forecast",
        ticker=ev.tickers[0],
        horizon=v["horizon_days"],
        prob=v["prob_up"],
        row_date=v["row_date"],
        accuracy=wf["accuracy"],
        baseline=wf["baseline_accuracy"],
        folds=v["folds"],
        verdict=v["verdict"],
        id=ev.id,
    )


def backtest_text(ev: Evidence) -> tuple[str, list[Reason]]:
    v = ev.values
    wf = v["walk_forward"]
    head = fill(
        "backtest",
        ticker=ev.tickers[0],
        strategy=v["strategy"],
        start=wf["start"],
        end=wf["end"],
        ar=wf["annual_return"],
        sharpe=wf["sharpe"],
        dd=wf["max_drawdown"],
        id=ev.id,
    )
    reasons = [
        cited(
            fill(
                "backtest_baseline",
                name=name.replace("_", " "),
                ar=r["annual_return"],
                sharpe=r["sharpe"],
                dd=r["max_drawdown"],
                id=ev.id,
            ),
            ev.id,
        )
        for name, r in v["baselines"].items()
        if None not in (r.get("annual_return"), r.get("sharpe"), r.get("max_drawdown"))
    ]
    verdict = "pass" if v["stability"]["passed"] else "fail"
    is_ar = v["in_sample"].get("annual_return")
    if is_ar is not None:
        text = fill("backtest_stability", is_ar=is_ar, verdict=verdict, id=ev.id)
        reasons.append(cited(text, ev.id))
    return head, reasons


def sentiment_text(ev: Evidence) -> str:
    v = ev.values
    if not v.get("available"):
        return fill("sentiment_absent", ticker=ev.tickers[0], as_of=ev.as_of, id=ev.id)
    return fill(
        "sentiment",
        ticker=ev.tickers[0],
        as_of=ev.as_of,
        score=v["score"],
        model=v.get("model") or "the lexicon",
        id=ev.id,
    )


def comparison_text(ev: Evidence) -> str:
    rows: dict[str, dict[str, Any]] = ev.values["by_ticker"]
    keys = list(next(iter(rows.values())))
    metric = ev.values["metric"].capitalize()
    lines = [
        fill("comparison_intro", metric=metric, as_of=ev.as_of, id=ev.id),
        "",
        "| ticker | " + " | ".join(_pct_label(k) for k in keys) + " |",
        "|---" * (len(keys) + 1) + "|",
    ]
    lines += [
        f"| {t} | " + " | ".join(_cell(k, r.get(k)) for k in keys) + " |" for t, r in rows.items()
    ]
    for ticker, reason in (ev.values.get("unavailable") or {}).items():
        lines += ["", fill("comparison_unavailable", ticker=ticker, reason=reason, id=ev.id)]
    return "\n".join(lines)


def _excerpt(text: str, limit: int = _PASSAGE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("; "))
    return (cut[: end + 1] if end > limit // 2 else cut[: cut.rfind(" ")]) + " ..."


def passage_text(ev: Evidence) -> str:
    s = ev.source
    where = ", ".join(
        x for x in (ev.tickers[0] if ev.tickers else None, s.get("form"), s.get("fiscal_period"),
                    s.get("section_title") or s.get("section")) if x
    )  # fmt: skip
    return fill(
        "passage_withheld" if ev.values.get("injection_suspected") else "passage",
        where=where or s.get("document", "document"),
        available=s.get("filed") or ev.window.end,
        id=ev.id,
        excerpt=_excerpt(inert_text(ev.values.get("text", ""))),  # no image fetched on view
    )
