"""The decision calibration's reports: Markdown (the scoreboard beside the baselines, hit rate by
action, HOLD calls, reliability bins, average return by bucket), JSON (the whole result) and a
self-contained HTML page (the Markdown rendered with the reliability curves and the return-by-bucket
charts; plotly.js inlined once, so it opens offline). Files are written atomically.

``summary_metrics`` flattens the headline numbers for the ``eval_runs`` table, so two calibration
runs compare with ``signaldesk eval compare``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from core.files import write_atomic
from evals.calibration.models import CalibrationResult, HorizonResult, StrategyScore
from reports.charts import bucket_returns_figure, reliability_figure
from reports.html import figure_div, html_page, markdown_html
from reports.markdown import markdown_table, num, pct, signed

__all__ = [
    "render_html",
    "render_json",
    "render_markdown",
    "report_stem",
    "scoreboard_table",
    "summary_metrics",
    "write_reports",
]

_NAMES = {
    "signal": "signal",
    "always_buy": "always-buy",
    "momentum": "momentum",
    "random": "random",
}


def _days(h: int) -> str:
    return f"{h} day" if h == 1 else f"{h} days"


def _strategy_name(s: StrategyScore, *, lookback: int) -> str:
    if s.name == "momentum":
        return f"momentum ({lookback}-day)"
    if s.name == "random":
        return f"random ({s.draws} shuffles)"
    return _NAMES.get(s.name, s.name)


def _hit(s: StrategyScore) -> str:
    if s.hit_rate_p05 is None or s.hit_rate_p95 is None:
        return pct(s.hit_rate, 1)
    return f"{pct(s.hit_rate, 1)} (5–95%: {pct(s.hit_rate_p05, 1)}–{pct(s.hit_rate_p95, 1)})"


def scoreboard_table(result: CalibrationResult) -> str:
    """The headline table: each horizon, the signal beside the baselines."""
    head = ["horizon", "strategy", "directional calls", "hit rate"]
    head += ["mean return following the calls", "Brier", "log loss"]
    rows = (
        [
            _days(h.horizon),
            _strategy_name(s, lookback=result.lookback),
            str(s.directional),
            _hit(s),
            signed(s.mean_signed_return, percent=True),
            num(s.brier, 4),
            num(s.log_loss, 4),
        ]
        for h in result.horizons
        for s in h.strategies
    )
    return "\n".join(markdown_table(head, rows))


def _p_values(result: CalibrationResult) -> str:
    said = ", ".join(
        f"{_days(h.horizon)} {pct(h.hit_rate_p_value, 1)}"
        for h in result.horizons
        if h.hit_rate_p_value is not None
    )
    return f"Share of random shuffles whose hit rate is at least the signal's: {said or 'n/a'}."


def _actions_table(result: CalibrationResult) -> list[str]:
    head = ["horizon", "action", "calls", "hit rate", "mean forward return"]
    rows = (
        [_days(h.horizon), a.action, str(a.count), pct(a.hit_rate, 1)]
        + [signed(a.mean_return, percent=True)]
        for h in result.horizons
        for a in h.by_action
    )
    return markdown_table(head, rows)


def _hold_table(result: CalibrationResult) -> list[str]:
    head = ["horizon", "HOLD calls", "quiet band", "quiet share of HOLD calls"]
    head += ["quiet share of all calls", "mean abs. return, HOLD"]
    head += ["mean abs. return, buys and sells"]
    rows = (
        [_days(h.horizon), str(o.count), f"±{o.band:.2%}"]
        + [pct(v, 1) for v in (o.quiet_share, o.quiet_share_all)]
        + [pct(v, 1) for v in (o.mean_abs_return, o.mean_abs_return_directional)]
        for h in result.horizons
        for o in [h.hold]
    )
    return markdown_table(head, rows)


def _reliability_table(result: CalibrationResult) -> list[str]:
    head = ["horizon", "stated probability bin", "calls", "mean stated", "observed"]
    rows = (
        [_days(h.horizon), f"{b.lower:.3f}–{b.upper:.3f}", str(b.count)]
        + [pct(b.mean_probability, 1), pct(b.observed, 1)]
        for h in result.horizons
        for b in h.reliability
    )
    return markdown_table(head, rows)


def _buckets_table(result: CalibrationResult) -> list[str]:
    horizons = [h.horizon for h in result.horizons]
    cells: dict[tuple[str, str], dict[int, str]] = {}
    for h in result.horizons:
        for b in h.buckets:
            cell = f"{signed(b.mean_return, percent=True)} ({b.count})"
            cells.setdefault((b.group, b.label), {})[h.horizon] = cell
    rows = (
        [f"{group}: {label}", *(by.get(h, "") for h in horizons)]
        for (group, label), by in cells.items()
    )
    return markdown_table(["bucket", *(_days(h) for h in horizons)], rows)


def render_markdown(result: CalibrationResult, *, about: Mapping[str, str] | None = None) -> str:
    """The report as Markdown; ``about``: lines on how it was made (command, seed, run id)."""
    span = f"{result.start} … {result.end}" if result.start else "no calls"
    lines = [
        f"# Decision calibration {span}",
        "",
        f"{result.calls} calls on {', '.join(result.tickers) or 'no ticker'} "
        f"({result.no_price} without a price on or before their date). "
        + " ".join(
            f"{_days(h.horizon)}: {h.dropped} without enough later bars." for h in result.horizons
        ),
        "",
        *(f"- {k}: {v}" for k, v in (about or {}).items()),
        "",
        "A call's stated probability that its direction is right is 0.5 + 0.5 × confidence. "
        "Hit: a buy followed by a rise, a sell by a fall, over the next N trading days (close to "
        "close). HOLD calls have no direction and are scored apart. A coin flip scores Brier "
        "0.2500 and log loss 0.6931.",
        "",
        "## Scoreboard",
        "",
        scoreboard_table(result),
        "",
        _p_values(result),
        "",
        "## Hit rate by action",
        "",
        *_actions_table(result),
        "",
        "## HOLD calls",
        "",
        f"A HOLD is borne out when the move stays quiet: |return| under {result.hold_band:.2%} × √N"
        " (the band), beside the same share over every call.",
        "",
        *_hold_table(result),
        "",
        f"## Reliability ({result.bins} bins of the stated probability, buys and sells)",
        "",
        *_reliability_table(result),
        "",
        "## Average forward return by bucket (calls in brackets)",
        "",
        *_buckets_table(result),
    ]
    return "\n".join(lines) + "\n"


def render_json(result: CalibrationResult, *, about: Mapping[str, str] | None = None) -> str:
    return json.dumps({"about": dict(about or {}), **result.model_dump(mode="json")}, indent=2)


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:  # noqa: ANN001 - pydantic rows
    return pd.DataFrame([r.model_dump() for r in rows], columns=columns)


def _charts(result: CalibrationResult) -> str:
    curves = {
        _days(h.horizon): _frame(h.reliability, ["mean_probability", "observed", "count"])
        for h in result.horizons
    }
    parts = [
        figure_div(
            reliability_figure(curves, title="Reliability of the stated probability"),
            "reliability",
        )
    ]
    for h in result.horizons:
        buckets = _frame(h.buckets, ["group", "label", "mean_return", "count"])
        title = f"Average {_days(h.horizon)} forward return by bucket"
        parts.append(
            figure_div(bucket_returns_figure(buckets, title=title), f"buckets-{h.horizon}")
        )
    return "".join(parts)


def render_html(result: CalibrationResult, *, about: Mapping[str, str] | None = None) -> str:
    """One self-contained page: the Markdown report rendered, then the charts."""
    body = markdown_html(render_markdown(result, about=about))
    charts = _charts(result) if result.horizons and result.calls else ""
    title = f"SignalDesk decision calibration {result.start} … {result.end}"
    return html_page(title=title, body=f"{body}<section id='charts'>{charts}</section>")


def report_stem(result: CalibrationResult) -> str:
    """``calibration-2011-01-07-2012-12-28-AAPL-GOOG-IBM-MSFT`` (more than 5 tickers: a count)."""
    tickers = result.tickers if len(result.tickers) <= 5 else [f"{len(result.tickers)}-tickers"]
    safe = [t.replace("^", "") for t in tickers]
    return "-".join(["calibration", str(result.start), str(result.end), *safe])


def write_reports(
    result: CalibrationResult,
    out: Path,
    *,
    about: Mapping[str, str] | None = None,
    formats: tuple[str, ...] = ("md", "html", "json"),
) -> list[Path]:
    """Write the chosen formats to ``out`` (created), each atomically; returns the paths."""
    stem = out / report_stem(result)
    render = {"md": render_markdown, "html": render_html, "json": render_json}
    return [
        write_atomic(stem.with_suffix(f".{f}"), render[f](result, about=about)) for f in formats
    ]


def summary_metrics(result: CalibrationResult) -> dict[str, float | None]:
    """Flat headline numbers (``h5_signal_hit_rate``, ``h5_random_brier``, ...) for eval_runs."""
    out: dict[str, float | None] = {}
    for h in result.horizons:
        out |= _horizon_metrics(h)
    return out


def _horizon_metrics(h: HorizonResult) -> dict[str, float | None]:
    out: dict[str, float | None] = {f"h{h.horizon}_hit_rate_p_value": h.hit_rate_p_value}
    for s in h.strategies:
        for field in ("hit_rate", "mean_signed_return", "brier", "log_loss"):
            value = getattr(s, field)
            if value is not None or s.name == "signal":
                out[f"h{h.horizon}_{s.name}_{field}"] = value
    return out
