"""The drift section of ``signaldesk monitor --drift``: per model in use, the features whose
distribution over the recent window drifted from its training window (PSI, KS) and the drift
of its predicted probability; per ticker, the data quality of its recent bars."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from rich.box import SIMPLE
from rich.table import Table

from cli._output import console

if TYPE_CHECKING:
    from core.settings import Settings
    from data.service import MarketData
    from quant.drift import DriftRow
    from tools.drift import DriftReport, ModelDrift, TickerQuality

__all__ = ["drift_report", "drift_warnings", "model_tickers", "print_drift"]

TOP = 10  # drifted features listed per model in the text (the JSON has every feature)


def model_tickers(settings: Settings) -> list[str]:
    """Tickers of every registered model (for the default as-of date when no call is recorded)."""
    from quant.models import ModelRegistry

    cards = ModelRegistry(settings.models_dir).list()
    return list(dict.fromkeys(t for c in cards for t in c.tickers))


def drift_report(
    settings: Settings,
    market: MarketData,
    *,
    as_of: date,
    ticker: str | None,
    call_tickers: Sequence[str],
) -> DriftReport:
    """Drift of the models in use on ``as_of`` (of ``ticker`` only, when given) and the data
    quality of their tickers and of the tickers with recorded calls."""
    from tools.context import ToolContext
    from tools.drift import drift_report as build

    ctx = ToolContext(as_of=as_of, market=market, models_dir=settings.models_dir)
    only = [ticker] if ticker else None
    return build(
        ctx,
        window_days=settings.drift_window_days,
        stale_after_days=settings.stale_after_days,
        psi_threshold=settings.drift_psi_threshold,
        ks_pvalue=settings.drift_ks_pvalue,
        tickers=only,
        data_tickers=[t for t in call_tickers if ticker is None or t == ticker],
    )


def drift_warnings(report: DriftReport) -> list[str]:
    """One line per ticker whose bars could not be read (monitor exits 1 for them)."""
    return [f"{q.ticker}: {q.error} (no data-quality check)" for q in report.data if q.error]


def _num(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def _pvalue(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0.0:
        return "~0"  # below the smallest float the distribution's tail reaches
    return f"{value:.2g}" if value < 0.01 else f"{value:.2f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _probability_line(row: DriftRow) -> str:
    verdict = "drifted" if row.drifted else "stable"
    return (
        f"  P(up): PSI {_num(row.psi)}, KS {_num(row.ks)}, p {_pvalue(row.p_value)} "
        f"(effective sizes: {_pvalue(row.p_value_adjusted)}): {verdict}"
    )


def _features_table(model: ModelDrift) -> Table:
    rows = {r.feature: r for r in model.features}
    table = Table(box=SIMPLE, padding=(0, 1), show_edge=False)
    for header in ("feature", "PSI", "KS", "p", "p eff", "tau"):
        table.add_column(header, justify="left" if header == "feature" else "right")
    for name in model.drifted_features[:TOP]:
        r = rows[name]
        table.add_row(
            name,
            _num(r.psi),
            _num(r.ks),
            _pvalue(r.p_value),
            _pvalue(r.p_value_adjusted),
            _num(r.tau, ".0f"),
        )
    return table


def _print_model(model: ModelDrift) -> None:
    say = console.print
    say(
        f"{model.model_id}: {', '.join(model.tickers)} {model.horizon}-day {model.kind}, trained "
        f"{model.trained_as_of} on {model.train_start}..{model.train_end} "
        f"({model.reference_rows} rows); recent {model.recent_start}..{model.recent_end} "
        f"({model.recent_rows} rows)",
        markup=False,
    )
    if not model.reference_verified:
        say(
            "  note: the rebuilt training window differs from the card's (sha256): the data "
            "or the source changed since training",
            markup=False,
        )
    compared = len(model.features)
    say(
        f"  features: {len(model.drifted_features)} of {compared} drifted "
        f"({len(model.not_compared)} calendar features not compared)",
        markup=False,
    )
    if model.drifted_features:
        console.print(_features_table(model))
        more = len(model.drifted_features) - TOP
        if more > 0:
            say(f"  and {more} more (--json lists every feature)", markup=False)
    say(_probability_line(model.probability), markup=False)


def _quality_line(q: TickerQuality, *, stale_after: int) -> str:
    if q.error is not None:
        return f"  {q.ticker}: no bars: {q.error}"
    parts = [
        f"last bar {q.last_bar} ({q.stale_days} days before as-of"
        + (f", STALE: more than {stale_after})" if q.stale else ")")
    ]
    if q.missing_sessions is None:
        parts.append("sessions not checked (no calendar)")
    else:
        gaps = f" ({'; '.join(q.gaps)})" if q.gaps else ""
        parts.append(f"{_plural(q.missing_sessions, 'missing session')}{gaps}")
    dates = ", ".join(d.isoformat() for d in q.quarantined_dates[:5])
    more = ", ..." if len(q.quarantined_dates) > 5 else ""
    why = f" ({dates}{more}: {', '.join(q.quarantine_reasons)})" if q.quarantined else ""
    parts.append(f"{_plural(q.quarantined, 'quarantined bar')}{why}")
    return f"  {q.ticker}: " + "; ".join(parts)


def print_drift(report: DriftReport) -> None:
    """The drift section, after the track record."""
    say = console.print
    say("", markup=False)
    say(
        f"Drift as of {report.as_of}: the last {report.window_days} bars vs each model's "
        f"training window; drifted = PSI >= {report.psi_threshold:g} and KS p < "
        f"{report.ks_pvalue:g} for the samples' effective sizes (autocorrelation allowed for)",
        markup=False,
    )
    if not report.models and not report.failed:
        say(
            f"no model trained by {report.as_of}: train one with signaldesk train TICKER",
            markup=False,
        )
    for model in report.models:
        _print_model(model)
    for model_id, why in report.failed.items():
        say(f"{model_id}: drift not computed: {why}", markup=False)
    if report.data:
        say(f"Data quality (the last {report.window_days} bars up to {report.as_of}):")
        for q in report.data:
            say(_quality_line(q, stale_after=report.stale_after_days), markup=False)
