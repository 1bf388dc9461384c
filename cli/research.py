"""Quant commands: ``signaldesk risk`` (and, as they land, technicals, signal, train, backtest).

Each prints a table, or with ``--json`` the Evidence the agent would cite (id, as_of, data
window, source, values).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.box import SIMPLE
from rich.table import Table

from cli._output import (
    BadInputError,
    Exit,
    ProgressOpt,
    as_of_option,
    console,
    err_console,
    parse_date,
    print_json,
    say_data_day,
    show_progress,
)

if TYPE_CHECKING:
    from core.settings import Settings
    from tools.signal_batch import SignalOutcome

AsOfOpt = typer.Option(
    None,
    "--as-of",
    help="Point-in-time date, YYYY-MM-DD (default: the last day of offline data, else today)",
)
SourceOpt = typer.Option(None, "--source", help="Provider chain, e.g. bundled | csv:DIR")
JsonOpt = typer.Option(False, "--json", help="Machine-readable JSON (the Evidence)")


def _as_of(
    value: str | None,
    settings: Settings | None = None,
    ticker: str | Sequence[str] | None = None,
    sources: str | None = None,
) -> date:
    """--as-of, else (see ``Settings.as_of_default``) the last day offline data hold for
    ``ticker`` (of a watchlist: its first ticker with data), else today."""
    given = parse_date(value, name="--as-of")
    if given is not None:
        return given
    day = as_of_option(None)
    if settings is None or ticker is None or settings.as_of_default != "data":
        return day
    from agent.services import build_tool_context
    from data.errors import DataError

    names = [ticker] if isinstance(ticker, str) else list(ticker)
    try:
        market = build_tool_context(settings, as_of=day, sources=sources).market
        found = ((n, market.last_day(today=day, tickers=[n])) for n in names)
        name, last = next(((n, d) for n, d in found if d is not None), (None, None))
    except (DataError, ValueError):
        return day
    if last is not None and last != day:
        say_data_day(last, ticker=name)
    return last or day


def risk(
    ctx: typer.Context,
    ticker: str = typer.Argument(..., help="Symbol, e.g. IBM"),
    as_of: str | None = AsOfOpt,
    horizon: int = typer.Option(
        10, "--horizon", min=1, max=252, help="N-day horizon besides 1 day"
    ),
    source: str | None = SourceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """VaR and CVaR (historical, normal, Cornish-Fisher, Monte Carlo) and drawdown risk.

    Example: signaldesk risk IBM --as-of 2011-12-30 --horizon 10 --json
    """
    from agent.services import build_tool_context
    from tools.risk import risk_evidence

    tool_ctx = build_tool_context(
        ctx.obj, as_of=_as_of(as_of, ctx.obj, ticker, source), sources=source
    )
    horizons = (1,) if horizon == 1 else (1, horizon)
    evidence = risk_evidence(tool_ctx, ticker, horizons=horizons)
    if as_json:
        print_json(evidence.model_dump(mode="json"))
        return
    values = evidence.values
    table = Table(title=f"{evidence.tickers[0]} risk as of {evidence.as_of}", box=SIMPLE)
    for col in ("method", "horizon", "level", "VaR", "CVaR", "note"):
        table.add_column(
            col, justify="right" if col in ("horizon", "level", "VaR", "CVaR") else "left"
        )
    for r in values["results"]:
        var = "n/a" if r["var"] is None else f"{r['var']:.2%}"
        cvar = "n/a" if r["cvar"] is None else f"{r['cvar']:.2%}"
        table.add_row(
            r["method"], f"{r['horizon_days']}d", f"{r['level']:.0%}", var, cvar, r["note"] or ""
        )
    console.print(table)
    dd = values["drawdown"]
    quantiles = ", ".join(f"{float(q):.0%}: {v:.1%}" for q, v in dd["quantiles"].items())
    console.print(
        f"max drawdown over {dd['horizon_days']} days (bootstrap, {dd['n_paths']:,} paths): "
        f"mean {dd['mean']:.1%}; quantiles {quantiles}; "
        f"P(loss > {dd['ruin_threshold']:.0%}) {dd['ruin_probability']:.2%}",
        markup=False,
    )
    w = evidence.window
    console.print(
        f"data: {w.bars} daily returns {w.start}..{w.end} from {evidence.source['provider']}; "
        f"annual volatility {values['volatility_annual']:.1%}; evidence {evidence.id}",
        markup=False,
    )


def technicals(
    ctx: typer.Context,
    ticker: str = typer.Argument(..., help="Symbol, e.g. AAPL"),
    as_of: str | None = AsOfOpt,
    source: str | None = SourceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Indicators, the technical score and the daily/weekly consensus at a date.

    Example: signaldesk technicals AAPL --as-of 2012-09-19 --json
    """
    from agent.services import build_tool_context
    from tools.technicals import technicals_evidence

    evidence = technicals_evidence(
        build_tool_context(ctx.obj, as_of=_as_of(as_of, ctx.obj, ticker, source), sources=source),
        ticker,
    )
    if as_json:
        print_json(evidence.model_dump(mode="json"))
        return
    tech = evidence.values["technical"]
    table = Table(title=f"{evidence.tickers[0]} technicals on {tech['bar_date']}", box=SIMPLE)
    table.add_column("component")
    table.add_column("score", justify="right")
    table.add_column("weight", justify="right")
    table.add_column("inputs")
    for name, comp in tech["components"].items():
        inputs = ", ".join(f"{k} {v:.3f}" for k, v in comp["inputs"].items())
        table.add_row(name, f"{comp['score']:.2f}", f"{comp['weight']:.2f}", inputs)
    console.print(table)
    console.print(evidence.summary, markup=False)
    console.print(f"evidence {evidence.id}", markup=False)


def signal(
    ctx: typer.Context,
    ticker: str | None = typer.Argument(None, help="Symbol, e.g. MSFT (or give a watchlist)"),
    as_of: str | None = AsOfOpt,
    source: str | None = SourceOpt,
    watchlist: str | None = typer.Option(
        None, "--watchlist", help="Tickers, e.g. AAPL,MSFT,IBM: every signal at once"
    ),
    watchlist_file: Path | None = typer.Option(
        None, "--watchlist-file", help="A watchlist file: one ticker per line"
    ),
    as_json: bool = JsonOpt,
) -> None:
    """The deterministic signal: technical 40% + sentiment 30% + ML 30% (renormalised over the
    parts available; ML only when its walk-forward record is GO), with confidence and size.
    With a watchlist, every ticker's signal, computed at once; a ticker without one is named
    with its reason and the command exits 1.

    Example: signaldesk signal MSFT --as-of 2013-02-28 --json

    Example: signaldesk signal --watchlist AAPL,MSFT,IBM,GOOG --as-of 2013-02-28
    """
    if watchlist is not None or watchlist_file is not None:
        if ticker is not None:
            raise BadInputError(f"give a TICKER ({ticker}) or a watchlist, not both")
        from cli.briefing import _watchlist

        tickers = _watchlist(watchlist, watchlist_file, ctx.obj).tickers
        _signals(ctx, list(tickers), as_of=as_of, source=source, as_json=as_json)
        return
    if ticker is None:
        raise BadInputError("give a TICKER, or --watchlist / --watchlist-file")
    from agent.services import build_tool_context, record_shown_calls
    from tools.signal import signal_evidence

    tool_ctx = build_tool_context(
        ctx.obj, as_of=_as_of(as_of, ctx.obj, ticker, source), sources=source
    )
    evidence, parts = signal_evidence(tool_ctx, ticker)
    record_shown_calls(ctx.obj, [evidence, *parts], source="signal")
    if as_json:
        print_json(
            evidence.model_dump(mode="json")
            | {"supporting": [e.model_dump(mode="json") for e in parts]}
        )
        return
    v = evidence.values
    console.print(
        f"[bold]{evidence.tickers[0]}: {v['action']}[/]  score {v['score']:.3f}  confidence "
        f"{v['confidence']:.2f}  position {v['position_size']:+.2%}  regime {v['regime']}  "
        f"as of {v['as_of']}"
    )
    table = Table(box=SIMPLE)
    for col in ("part", "score", "weight", "note"):
        table.add_column(col, justify="right" if col in ("score", "weight") else "left")
    for name, comp in v["components"].items():
        shown = "absent" if comp["score"] is None else f"{comp['score']:.3f}"
        table.add_row(name, shown, f"{comp['weight']:.2f}", comp["reason"])
    console.print(table)
    for note in v["sizing_notes"]:
        console.print(f"size: {note}", markup=False)
    console.print(f"evidence {evidence.id}; research, not investment advice.", markup=False)


def _signals(
    ctx: typer.Context, tickers: list[str], *, as_of: str | None, source: str | None, as_json: bool
) -> None:
    """``signal`` over a watchlist: a table (or a JSON list), each failure on a line of its
    own, exit 1 when a ticker has no signal. An error that is a bug raises, with its traceback."""
    from agent.services import build_tool_context, record_shown_calls
    from cli._errors import describe
    from tools.signal_batch import SignalFailure, SignalResult, signals

    tool_ctx = build_tool_context(
        ctx.obj, as_of=_as_of(as_of, ctx.obj, tickers, source), sources=source
    )
    results = signals(tool_ctx, tickers)
    failed = [r for r in results if isinstance(r, SignalFailure)]
    shown = [e for r in results if isinstance(r, SignalResult) for e in (r.evidence, *r.supporting)]
    record_shown_calls(ctx.obj, shown, source="signal")
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        _print_signals(results, tool_ctx.as_of)
        for f in failed:  # part of the report; stderr keeps the one line naming them
            console.print(f"{f.ticker}: {f.message}", markup=False)
    bug = next((f.error for f in failed if not f.fixable and describe(f.error) is None), None)
    if bug is not None:
        raise bug
    if failed:
        err_console.print(
            f"error: {len(failed)} of {len(results)} tickers without a signal: "
            f"{', '.join(f.ticker for f in failed)}",
            markup=False,
        )
        raise typer.Exit(Exit.CHECK_FAILED)


def _print_signals(results: list[SignalOutcome], as_of: date) -> None:
    """The watchlist's signals, one row per ticker (a failed one says so; its reason follows)."""
    from tools.signal_batch import SignalFailure

    table = Table(title=f"Signals as of {as_of}", box=SIMPLE)
    columns = ("ticker", "signal", "score", "conf.", "size", "regime")
    parts = ("technical", "sentiment", "ml")
    for col in (*columns, "tech.", "sent.", "ML"):
        table.add_column(col, justify="left" if col in ("ticker", "signal", "regime") else "right")
    for r in results:
        if isinstance(r, SignalFailure):  # its reason is printed below the table
            table.add_row(r.ticker, "[red]failed[/]", *([""] * (len(columns) + len(parts) - 2)))
            continue
        v = r.evidence.values
        scores = [v["components"][p]["score"] for p in parts]
        table.add_row(
            r.evidence.tickers[0],
            v["action"],
            f"{v['score']:.3f}",
            f"{v['confidence']:.2f}",
            f"{v['position_size']:+.2%}",
            str(v["regime"]),
            *("absent" if x is None else f"{x:.3f}" for x in scores),
        )
    console.print(table)
    console.print("research, not investment advice.", markup=False)


def train(
    ctx: typer.Context,
    tickers: list[str] = typer.Argument(None, help="Symbols to train"),
    all_: bool = typer.Option(False, "--all", help="Every stock the source lists"),
    end: str | None = typer.Option(None, "--end", help="Train on data known by this date"),
    horizons: str = typer.Option("1,5,20", "--horizons", help="Forward-return horizons in bars"),
    kind: str = typer.Option("xgb", "--model", help="xgb | stack"),
    source: str | None = SourceOpt,
    as_json: bool = JsonOpt,
    progress: bool | None = ProgressOpt,
) -> None:
    """Walk-forward record (go/no-go) and a final model per horizon, stored in the registry.

    Example: signaldesk train AAPL --end 2012-12-31 --horizons 5
    """
    from agent.services import build_tool_context
    from data.bars import normalize_ticker
    from data.errors import DataError
    from tools.forecast import universe

    tool_ctx = build_tool_context(ctx.obj, as_of=_as_of(end), sources=source)
    try:
        steps = tuple(int(h) for h in horizons.split(","))
    except ValueError:
        raise DataError(
            f"--horizons {horizons!r}: use comma-separated integers like 1,5,20"
        ) from None
    names = universe(tool_ctx, "")[1:] if all_ else [normalize_ticker(t) for t in tickers or []]
    if not names:
        raise DataError("name at least one TICKER or pass --all")
    results: list[dict[str, Any]] = []
    with show_progress(len(names), "train", progress) as step:
        for name in names:
            results += _train_one(tool_ctx, name, horizons=steps, kind=kind)
            step(f"{name}: {'error' if 'error' in results[-1] else 'trained'}")
    if as_json:
        print_json({"as_of": tool_ctx.as_of.isoformat(), "models": results})
    else:
        _print_trained(results, tool_ctx.as_of)
    failed = [r["ticker"] for r in results if "error" in r]
    if failed:  # a ticker failed: partial, as data load (each one's reason is printed above)
        err_console.print(
            f"error: {len(failed)} of {len(names)} tickers not trained: {', '.join(failed)}",
            markup=False,
        )
        raise typer.Exit(Exit.CHECK_FAILED)


def _train_one(
    tool_ctx: Any, name: str, *, horizons: tuple[int, ...], kind: str
) -> list[dict[str, Any]]:
    """The rows of ``train`` for one ticker: one per horizon, or one with its error."""
    from datetime import UTC, datetime

    from tools.forecast import train as train_models

    try:
        cards = train_models(
            tool_ctx, name, horizons=horizons, kind=kind, created_at=datetime.now(UTC)
        )
    except (ValueError, LookupError) as err:
        return [{"ticker": name, "error": str(err)}]
    results: list[dict[str, Any]] = []
    for card in cards:
        overall = card.record.overall
        results.append(
            {
                "ticker": name,
                "horizon": card.horizon,
                "model_id": card.model_id,
                "verdict": card.record.verdict,
                "leak_suspected": card.record.leak_suspected,
                "accuracy": overall.accuracy,
                "baseline_accuracy": overall.baseline_accuracy,
                "auc": overall.auc,
                "folds": len(card.record.folds),
                "train_window": [card.train_start.isoformat(), card.train_end.isoformat()],
            }
        )
    return results


def _print_trained(results: list[dict[str, Any]], as_of: date) -> None:
    table = Table(title=f"Models trained on data known by {as_of}", box=SIMPLE)
    for col in ("ticker", "horizon", "accuracy", "baseline", "AUC", "folds", "verdict", "model"):
        table.add_column(col)
    for r in results:
        if "error" in r:  # a line of its own below the table: a reason does not fit a cell
            table.add_row(r["ticker"], "", "", "", "", "", "[red]failed[/]", "")
            continue
        verdict = r["verdict"] + (" (leak?)" if r["leak_suspected"] else "")
        table.add_row(
            r["ticker"],
            f"{r['horizon']}d",
            f"{r['accuracy']:.1%}",
            f"{r['baseline_accuracy']:.1%}",
            f"{r['auc']:.3f}",
            str(r["folds"]),
            verdict,
            r["model_id"],
        )
    console.print(table)
    for r in results:  # part of the report (stdout); the one line on stderr names them
        if "error" in r:
            console.print(f"{r['ticker']}: {r['error']}", markup=False)


def backtest(
    ctx: typer.Context,
    ticker: str = typer.Argument(..., help="Symbol, e.g. AAPL"),
    start: str | None = typer.Option(None, "--start", help="First date of the backtest"),
    end: str | None = typer.Option(None, "--end", help="Last date (data after it is never seen)"),
    strategy: str = typer.Option(
        "confluence", "--strategy", help="technical | ml | confluence | buy_and_hold | sma_cross"
    ),
    kind: str = typer.Option("xgb", "--model", help="xgb | stack (for ml and confluence)"),
    source: str | None = SourceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Walk-forward backtest (12-month train, 3-month test, next-open execution, costs) beside
    the naive in-sample run and baselines, with the stability verdicts.

    Example: signaldesk backtest AAPL --start 2004-01-01 --end 2013-02-28 --json
    """
    from agent.services import build_tool_context
    from data.bars import check_range
    from tools.backtest import STRATEGIES, backtest_evidence

    if strategy not in STRATEGIES:
        raise BadInputError(f"unknown --strategy {strategy!r}: use {', '.join(STRATEGIES)}")
    last = _as_of(end)
    first = parse_date(start, name="--start")
    check_range(first, last)
    tool_ctx = build_tool_context(ctx.obj, as_of=last, sources=source)
    evidence = backtest_evidence(tool_ctx, ticker, start=first, strategy=strategy, model_kind=kind)
    if as_json:
        print_json(evidence.model_dump(mode="json"))
        return
    _print_backtest(evidence.values, evidence.tickers[0])
    console.print(evidence.summary, markup=False)


def _cell(col: str, value: object) -> str:
    if value is None:
        return "n/a"
    if col in ("sharpe", "sortino"):
        return f"{value:.2f}"
    if col == "trade_count":
        return str(value)
    return f"{value:.1%}"


def _print_backtest(v: dict, ticker: str) -> None:
    rows = {"walk-forward": v["walk_forward"], "in-sample": v["in_sample"]}
    rows |= {name.replace("_", " "): report for name, report in v["baselines"].items()}
    title = f"{ticker} {v['strategy']}: {len(v['folds'])} walk-forward folds, costs included"
    table = Table(title=title, box=SIMPLE)
    cols = {
        "annual_return": "return",
        "annual_volatility": "vol",
        "sharpe": "Sharpe",
        "sortino": "Sortino",
        "max_drawdown": "max DD",
        "trade_count": "trades",
        "exposure": "exposure",
    }
    table.add_column("run", no_wrap=True)
    for header in cols.values():
        table.add_column(header, justify="right")
    for name, report in rows.items():
        table.add_row(name, *(_cell(col, report.get(col)) for col in cols))
    console.print(table)
    gap = v["gap"]
    console.print(
        f"overfitting gap (in-sample minus walk-forward): return {gap['annual_return']:+.1%}, "
        f"Sharpe {gap['sharpe']:+.2f}",
        markup=False,
    )
    if v.get("ml_record"):
        r = v["ml_record"]
        console.print(
            f"ML go/no-go: {r['verdict']}: out-of-sample accuracy {r['accuracy']:.1%} vs majority "
            f"baseline {r['baseline_accuracy']:.1%} over {r['n']} predictions",
            markup=False,
        )
    for rule in v["stability"]["rules"]:
        verdict = "PASS" if rule["passed"] else "FAIL"
        console.print(f"stability {verdict}: {rule['rule']}", markup=False)
