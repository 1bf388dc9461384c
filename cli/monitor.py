"""``signaldesk monitor``: resolve the recorded calls that are due, then print the track record,
and what the learning loop stored (its latest drift checks, decisions and alerts:
``cli._loop_view``); with ``--drift``, the drift of the models in use and the quality of their
data computed now (``cli._drift``).

Exit codes: 0 done; 1 done, but some ticker's bars could not be read (its calls stay pending:
a scheduler alerts; with ``--drift``, no data-quality check for it either); 2 bad input (date,
--by, --days); 3 the database or a source is down. A drifted model does not change the code.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING, Any

import typer
from rich.box import SIMPLE
from rich.table import Table

from cli._drift import drift_report, drift_warnings, model_tickers, print_drift
from cli._loop_view import loop_records, print_loop
from cli._output import (
    BadInputError,
    Exit,
    console,
    err_console,
    parse_date,
    print_json,
    say_data_day,
)

if TYPE_CHECKING:
    import pandas as pd

    from core.settings import Settings
    from data.service import MarketData
    from data.store import PredictionStore
    from quant.track import TrackRecord, TrackRow
    from tools.track import ResolveSummary

__all__ = ["monitor"]

_ALIASES = {"config": "config_hash", "model": "model_id", "horizon": "horizon_days"}
_LISTED = (
    "id", "source", "ticker", "as_of", "horizon_days", "action", "score", "prob_up",
    "config_hash", "model_id", "entry_date", "outcome_date", "outcome_return", "hit",
)  # fmt: skip


def _by(spec: str) -> tuple[str, ...]:
    from quant.track import KEYS

    names = tuple(_ALIASES.get(n.strip(), n.strip()) for n in spec.split(",") if n.strip())
    unknown = [n for n in names if n not in KEYS]
    if unknown or not names or len(set(names)) != len(names):
        raise BadInputError(
            f"--by {spec!r}: give distinct names among source, config, model, horizon, ticker,"
            " action"
        )
    return names


def _days(spec: str) -> tuple[int, ...]:
    try:
        days = tuple(int(d) for d in spec.split(",") if d.strip())
    except ValueError:
        days = ()
    if not days or min(days) < 1:
        raise BadInputError(f"--days {spec!r}: use whole numbers of days >= 1, like 30,90")
    return days


def _as_of(value: str | None, settings: Settings, market: MarketData, tickers: list[str]) -> date:
    """--as-of (not after today), else the last day offline data hold for the tickers with
    calls (``Settings.as_of_default``, as the research commands), else today."""
    from core.asof import today

    now = today()
    given = parse_date(value, name="--as-of")
    if given is not None:
        if given > now:
            raise BadInputError(f"--as-of {given} is after today ({now}): no outcome is known yet")
        return given
    if settings.as_of_default != "data" or not tickers:
        return now
    last = market.last_day(today=now, tickers=tickers)
    if last is not None and last != now:
        say_data_day(last)
    return last or now


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


_HEADERS = {
    "source": "source",
    "config_hash": "config",
    "model_id": "model",
    "horizon_days": "h",
    "ticker": "ticker",
    "action": "action",
}


def _key(row: TrackRow, name: str) -> str:
    value = getattr(row, name)
    if value is None:
        return "-"
    return str(value)[:8] if name == "config_hash" else str(value)  # the JSON has it whole


def _print(record: TrackRecord, summary: ResolveSummary) -> None:
    console.print(
        f"as of {record.as_of}: {summary.resolved} call(s) resolved now; {record.calls} call(s)"
        f" recorded, {record.resolved} resolved, {record.pending} pending",
        markup=False,
    )
    last = f"last_{record.last}"
    briers = any(r.windows[last].brier is not None for r in record.rows)
    # a key no row has (the model of signal calls) is left out here; the JSON keeps it
    keys = [k for k in record.by if any(getattr(r, k) is not None for r in record.rows)]
    table = Table(box=SIMPLE, padding=(0, 0), show_edge=False)
    headers = [_HEADERS[k] for k in keys]
    headers += ["resolved", "hit", "n", "buy", "mom", *(f"{d}d" for d in record.days)]
    for header in [*headers, *(["Brier"] if briers else [])]:
        table.add_column(header)
    for row in record.rows:
        window = row.windows[last]
        cells = [
            *(_key(row, k) for k in keys),
            f"{row.calls - row.pending}/{row.calls}",
            _pct(window.hit_rate),
            str(window.directional),
            _pct(window.always_buy),
            _pct(window.momentum),
            *(_pct(row.windows[f"{d}d"].hit_rate) for d in record.days),
        ]
        if briers:
            cells.append("-" if window.brier is None else f"{window.brier:.3f}")
        table.add_row(*cells)
    console.print(table)
    spans = ", ".join(f"{d}d" for d in record.days)
    console.print(
        f"hit: share right of the n BUY/SELL calls among the last {record.last} resolved (HOLD"
        f" states no direction); buy, mom: always-buy and 20-bar momentum on the same calls;"
        f" {spans}: hit rate of the calls resolved in that many days up to {record.as_of}."
        + (" Brier: only where a probability is stated." if briers else ""),
        markup=False,
    )


def _json_value(value: Any) -> Any:  # noqa: ANN401 - a cell of the calls frame
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "date") and callable(value.date):
        return None if value != value else value.date().isoformat()  # NaT != NaT
    return value.item() if hasattr(value, "item") else value


def _listed(calls: pd.DataFrame) -> list[dict[str, Any]]:
    rows = calls.loc[:, list(_LISTED)].to_dict(orient="records")
    return [{str(k): _json_value(v) for k, v in row.items()} for row in rows]


def _resolve(
    store: PredictionStore, market: MarketData, day: date
) -> tuple[ResolveSummary, list[str]]:
    from tools.track import resolve_due

    summary = resolve_due(store, market, as_of=day)
    warnings = [f"{t}: {why} (its calls stay pending)" for t, why in summary.failed.items()]
    return summary, warnings


def monitor(
    ctx: typer.Context,
    as_of: str | None = typer.Option(
        None, "--as-of", help="YYYY-MM-DD (default: the last day of offline data, else today)"
    ),
    by: str = typer.Option(
        "source,config,model,horizon,ticker,action",
        "--by",
        help="Group the record by any of source, config, model, horizon, ticker, action",
    ),
    last: int = typer.Option(100, "--last", min=1, help="Resolved calls in the rolling window"),
    days: str = typer.Option("30,90", "--days", help="Calendar-day windows, e.g. 30,90"),
    call_source: str | None = typer.Option(
        None, "--call-source", help="Only the calls of one source (briefing, replay, signal...)"
    ),
    ticker: str | None = typer.Option(None, "--ticker", help="Only the calls on one ticker"),
    calls: bool = typer.Option(False, "--calls", help="Also list every call with its outcome"),
    source: str | None = typer.Option(
        None, "--source", help="Provider chain, e.g. bundled | csv:DIR"
    ),
    drift: bool = typer.Option(
        False,
        "--drift",
        help="Also the drift of each model in use (features and P(up), recent window vs "
        "training window: PSI, KS) and each ticker's data quality (staleness, gaps, quarantines)",
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON"),
) -> None:
    """Resolve the recorded calls whose horizon has passed in the data up to --as-of, then
    print the track record: hit rates (last 100 calls, last 30 and 90 days) beside always-buy
    and momentum, and the Brier score where a probability is stated.

    Example: signaldesk monitor --as-of 2013-03-01 --by horizon --json

    Example: signaldesk monitor --as-of 2013-03-01 --drift
    """
    from agent.services import build_market_data
    from data.store import PredictionStore, make_engine, upgrade
    from tools.track import track_record_at

    settings: Settings = ctx.obj
    group, spans = _by(by), _days(days)
    engine = make_engine(settings.sqlalchemy_url)
    upgrade(engine)
    store = PredictionStore(engine)
    market = build_market_data(settings, sources=source)
    called = store.tickers()
    day = _as_of(as_of, settings, market, called or (model_tickers(settings) if drift else []))
    summary, warnings = _resolve(store, market, day)
    name = ticker.strip().upper() if ticker else None
    record = track_record_at(
        store, as_of=day, by=group, last=last, days=spans, source=call_source, ticker=name
    )
    drifts = None
    if drift:
        drifts = drift_report(settings, market, as_of=day, ticker=name, call_tickers=called)
        warnings += drift_warnings(drifts)
    loop = loop_records(engine, as_of=day)
    if as_json:
        payload: dict[str, Any] = {
            "as_of": day.isoformat(),
            "resolved_now": summary.resolved,
            "waiting": summary.waiting,
            "failed": summary.failed,
            "track_record": record.model_dump(mode="json"),
            "loop": loop,
        }
        if calls:
            listed = store.calls(as_of=day, source=call_source, ticker=name)
            payload["calls"] = _listed(listed)
        if drifts is not None:
            payload["drift"] = drifts.model_dump(mode="json")
        print_json(payload)
    elif record.calls == 0:
        console.print(
            f"no calls recorded up to {day}: a briefing records its calls (signaldesk briefing)",
            markup=False,
        )
    else:
        _print(record, summary)
        if calls:
            _print_calls(store.calls(as_of=day, source=call_source, ticker=name))
    if drifts is not None and not as_json:
        print_drift(drifts)
    if not as_json:
        print_loop(loop)
    for warning in warnings:
        err_console.print(f"warning: {warning}", markup=False)
    if warnings:
        raise typer.Exit(Exit.CHECK_FAILED)


def _print_calls(frame: pd.DataFrame) -> None:
    table = Table(title="Calls", title_justify="left", box=SIMPLE)
    for column in ("source", "ticker", "as of", "h", "action", "outcome date", "return", "hit"):
        table.add_column(column)
    for row in _listed(frame):
        ret = row["outcome_return"]
        table.add_row(
            row["source"],
            row["ticker"],
            row["as_of"],
            str(row["horizon_days"]),
            row["action"],
            row["outcome_date"] or "pending",
            "-" if ret is None else f"{ret:+.2%}",
            {True: "hit", False: "miss", None: "-"}[row["hit"]],
        )
    console.print(table)
