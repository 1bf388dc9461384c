"""``signaldesk data``: fetch, check, load and list daily bars."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from cli._output import Exit, as_of_option, console, parse_date, print_json
from core.asof import today
from data.errors import DataError

if TYPE_CHECKING:
    from core.settings import Settings
    from data.service import MarketData

data_app = typer.Typer(help="Market data: fetch, check, load, list.", no_args_is_help=True)

SourceOpt = typer.Option(
    None, "--source", help="Provider chain, e.g. bundled | yahoo,stooq | csv:DIR | parquet:DIR | db"
)
StartOpt = typer.Option(None, "--start", help="First date, YYYY-MM-DD (default: earliest)")
EndOpt = typer.Option(None, "--end", help="Last date, YYYY-MM-DD (default: today); never exceeded")
JsonOpt = typer.Option(False, "--json", help="Machine-readable JSON on stdout")


def _window(start: str | None, end: str | None) -> tuple[date | None, date]:
    """The dates of --start and --end; reversed dates are refused before any ticker runs."""
    from data.bars import check_range

    first, last = parse_date(start, name="--start"), as_of_option(end, name="--end")
    check_range(first, last)
    return first, last


def _all_tickers(market: MarketData) -> list[str]:
    names: list[str] = []
    empty: list[str] = []  # why each source that can list its tickers listed none
    for provider in market.providers:
        listed = provider.tickers()
        if listed is not None and not listed:
            empty.append(_why_empty(provider))
        for ticker in listed or []:
            if ticker not in names:
                names.append(ticker)
    if not names and empty:
        raise DataError(f"--all found no tickers: {'; '.join(empty)}")
    if not names:
        raise DataError("--all needs a source that can list its tickers (bundled, csv:DIR, db)")
    return names


def _why_empty(provider: object) -> str:
    folder = getattr(provider, "directory", None)
    name = getattr(provider, "name", "the source")
    if isinstance(folder, Path) and not folder.is_dir():
        return f"{name}: folder {folder} does not exist"
    return f"{name} holds no price files"


def _targets(market: MarketData, tickers: list[str], all_: bool) -> list[str]:
    if all_:
        return _all_tickers(market)
    if not tickers:
        raise DataError("name at least one TICKER or pass --all")
    from data.bars import normalize_ticker

    return [normalize_ticker(t) for t in tickers]


@data_app.command("fetch")
def fetch(
    ctx: typer.Context,
    ticker: str = typer.Argument(..., help="Symbol, e.g. AAPL or ^GSPC"),
    start: str | None = StartOpt,
    end: str | None = EndOpt,
    source: str | None = SourceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Adjusted daily bars with their provenance.

    Example: signaldesk data fetch AAPL --start 2012-01-03 --end 2012-12-31 --json
    """
    from agent.services import build_market_data

    first, last = _window(start, end)
    bars = build_market_data(ctx.obj, sources=source).bars(ticker, start=first, end=last)
    if as_json:
        print_json(
            {
                "ticker": bars.ticker,
                "rows": len(bars),
                "provenance": bars.provenance.to_dict(),
                "bars": bars.to_records(),
            }
        )
        return
    table = Table(title=f"{bars.ticker} daily bars ({len(bars)} rows)")
    for col in ("date", "open", "high", "low", "close", "volume"):
        table.add_column(col, justify="right")
    frame = bars.frame
    shown = frame if len(frame) <= 10 else frame.iloc[[*range(5), *range(-5, 0)]]
    for i, (day, row) in enumerate(shown.iterrows()):
        if len(frame) > 10 and i == 5:
            table.add_row("…", "", "", "", "", "")
        table.add_row(
            f"{day:%Y-%m-%d}",
            *(f"{row[c]:.4f}" for c in ("open", "high", "low", "close")),
            f"{row['volume']:,.0f}",
        )
    console.print(table)
    p = bars.provenance
    console.print(f"provider: {p.provider}  source: {p.source}", markup=False)
    console.print(f"adjustment: {p.adjustment}", markup=False)
    console.print(
        f"fetched at: {p.fetched_at:%Y-%m-%d %H:%M:%S %Z}  cached: {p.cached}", markup=False
    )
    if p.quarantined:
        console.print(
            f"[yellow]{p.quarantined} rows quarantined: run 'signaldesk data check {p.ticker}'[/]"
        )


def _check_one(market: MarketData, ticker: str, start: date | None, end: date) -> dict[str, Any]:
    try:
        fetched = market.fetch(ticker, start=start, end=end)
    except DataError as err:
        return {"ticker": ticker, "ok": False, "error": str(err), "issues": []}
    report = fetched.report.to_dict()
    return {**report, "ok": fetched.report.ok, "provider": fetched.provenance.provider}


@data_app.command("check")
def check(
    ctx: typer.Context,
    tickers: list[str] = typer.Argument(None, help="Symbols to check"),
    all_: bool = typer.Option(False, "--all", help="Every ticker the source can list"),
    start: str | None = StartOpt,
    end: str | None = EndOpt,
    source: str | None = SourceOpt,
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too"),
    as_json: bool = JsonOpt,
) -> None:
    """Data-quality report: schema errors (quarantined rows), calendar gaps, outliers.

    Exits 1 when any ticker has errors (or warnings, with --strict).

    Example: signaldesk data check --all --source csv:./prices --json
    """
    from agent.services import build_market_data

    market = build_market_data(ctx.obj, sources=source)
    first, last = _window(start, end)
    reports = [_check_one(market, t, first, last) for t in _targets(market, tickers, all_)]

    def failed(r: dict[str, Any]) -> bool:
        return not r["ok"] or (strict and any(i["severity"] == "warning" for i in r["issues"]))

    if as_json:
        print_json({"ok": not any(map(failed, reports)), "reports": reports})
    else:
        _print_reports(reports)
    if any(map(failed, reports)):
        raise typer.Exit(Exit.CHECK_FAILED)


def _print_reports(reports: list[dict[str, Any]]) -> None:
    table = Table(title="Data quality")
    for col in ("ticker", "rows", "window", "errors", "warnings", "first issues"):
        table.add_column(col)
    for r in reports:
        if "error" in r:
            table.add_row(r["ticker"], "-", "-", "[red]failed[/]", "-", r["error"])
            continue
        errors = [i for i in r["issues"] if i["severity"] == "error"]
        warnings = [i for i in r["issues"] if i["severity"] == "warning"]
        notes = "; ".join(i["message"] for i in (errors + warnings)[:3])
        table.add_row(
            r["ticker"],
            str(r["rows"]),
            f"{r['start']}..{r['end']}",
            f"[red]{len(errors)}[/]" if errors else "0",
            str(len(warnings)),
            notes,
        )
    console.print(table)


@data_app.command("load")
def load(
    ctx: typer.Context,
    tickers: list[str] = typer.Argument(None, help="Symbols to load"),
    all_: bool = typer.Option(False, "--all", help="Every ticker the source can list"),
    start: str | None = StartOpt,
    end: str | None = EndOpt,
    source: str | None = SourceOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Load raw bars into the database (idempotent: loading twice changes nothing).

    Bad rows go to the quarantine table, not into the bars.

    Example: signaldesk data load --all
    """
    from agent.services import build_market_data, open_bar_store
    from data.refresh import load_ticker

    settings: Settings = ctx.obj
    market = build_market_data(settings, sources=source)
    if any(p.name == "db" for p in market.providers):
        raise DataError(
            "--source db reads the database; load from bundled, yahoo, stooq or a folder"
        )
    store = open_bar_store(settings)
    first, last = _window(start, end)
    results = [load_ticker(market, store, t, first, last) for t in _targets(market, tickers, all_)]
    if as_json:
        print_json({"results": results})
    else:
        table = Table(title="Loaded into the database")
        for col in (
            "ticker",
            "provider",
            "rows",
            "inserted",
            "updated",
            "unchanged",
            "quarantined",
        ):
            table.add_column(col, justify="right")
        for r in results:
            if "error" in r:
                table.add_row(r["ticker"], "[red]failed[/]", r["error"], "", "", "", "")
            else:
                table.add_row(
                    *(
                        str(r[c])
                        for c in (
                            "ticker",
                            "provider",
                            "rows",
                            "inserted",
                            "updated",
                            "unchanged",
                            "quarantined",
                        )
                    )
                )
        console.print(table)
    if any("error" in r for r in results):
        raise typer.Exit(Exit.CHECK_FAILED)


@data_app.command("list")
def list_(ctx: typer.Context, source: str | None = SourceOpt, as_json: bool = JsonOpt) -> None:
    """Tickers each source carries (with coverage) and what the database holds."""
    from agent.services import build_market_data, open_bar_store

    settings: Settings = ctx.obj
    market = build_market_data(settings, sources=source)
    rows: list[dict[str, Any]] = []
    for provider in market.providers:
        for ticker in provider.tickers() or []:
            frame = provider.fetch(ticker, start=None, end=today()).frame
            rows.append(
                {
                    "source": provider.name,
                    "ticker": ticker,
                    "rows": len(frame),
                    "start": f"{frame.index.min():%Y-%m-%d}",
                    "end": f"{frame.index.max():%Y-%m-%d}",
                }
            )
    stored = open_bar_store(settings).tickers()
    if as_json:
        print_json({"sources": rows, "database": stored})
        return
    table = Table(title="Available tickers")
    for col in ("source", "ticker", "rows", "start", "end"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(r[c]) for c in ("source", "ticker", "rows", "start", "end")))
    for r in stored:
        table.add_row(
            f"database ({r['source']})",
            r["ticker"],
            str(r["rows"]),
            str(r["first_date"]),
            str(r["last_date"]),
        )
    console.print(table)
