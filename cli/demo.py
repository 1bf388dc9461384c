"""``signaldesk demo``: the end-to-end job on the embedded defaults.

Loads the bundled real prices into the database (idempotently), checks their quality, prints
a point-in-time summary per ticker, then asks the research agent a few representative questions
(offline planner unless an LLM endpoint is configured) and prints its verified, cited answers,
and runs the daily briefing of the default watchlist (reports under ``HOME/reports``).
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.box import SIMPLE
from rich.console import Console
from rich.table import Table

from cli._output import Exit, console, parse_date, print_json
from data.errors import DataError

if TYPE_CHECKING:
    from core.settings import Settings
    from tools.context import ToolContext


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.1%}"


def demo(
    ctx: typer.Context,
    as_of: str = typer.Option("2013-02-28", "--as-of", help="Point-in-time date, YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable JSON"),
) -> None:
    """Load the bundled data, check it and summarise every ticker as of a date.

    Example: signaldesk demo --as-of 2012-06-29
    """
    from agent.services import build_market_data, build_tool_context, open_bar_store
    from data.refresh import load_ticker
    from quant.summary import price_summary

    settings: Settings = ctx.obj
    day = parse_date(as_of, name="--as-of")
    assert day is not None
    market = build_market_data(settings, sources="bundled")
    store = open_bar_store(settings)
    tool_ctx = build_tool_context(settings, as_of=day, sources="bundled")
    rows = []
    for ticker in market.providers[0].tickers() or []:
        loaded = load_ticker(market, store, ticker, None, day)
        if "error" in loaded:
            rows.append({"ticker": ticker, "error": loaded["error"]})
            continue
        try:
            fetched = market.fetch(ticker, end=day)
            bars = market.bars(ticker, end=day)
            summary = price_summary(bars.frame["close"], as_of=day)
        except (DataError, ValueError) as err:
            rows.append({"ticker": ticker, "error": str(err)})
            continue
        rows.append(
            {
                "ticker": ticker,
                "load": loaded,
                "quality": fetched.report.summary(),
                "quality_ok": fetched.report.ok,
                "quality_counts": {
                    "errors": len(fetched.report.errors),
                    "warnings": len(fetched.report.warnings),
                },
                "summary": summary.to_dict(),
                "signal": _signal(tool_ctx, ticker),
                "provenance": bars.provenance.to_dict(),
            }
        )
    if not as_json:
        _print(rows, day.isoformat(), settings)
    answers, briefing = _questions(settings, day, show=not as_json)
    if as_json:
        print_json(
            {
                "as_of": day.isoformat(),
                "database": settings.public_dict()["resolved_database"],
                "tickers": rows,
                "questions": answers,
                "briefing": briefing,
            }
        )
    failed = any(not a["verified"] or a["refused"] != a["should_refuse"] for a in answers)
    failed |= not briefing["complete"]
    if failed or any("error" in r or not r["quality_ok"] for r in rows):
        raise typer.Exit(Exit.CHECK_FAILED)


QUESTIONS = (
    ("Should I buy Microsoft?", False),
    ("What is IBM's 99% one-day VaR?", False),
    ("Compare AAPL and GOOG momentum", False),
    ("and which is riskier?", False),
    ("Should I buy XYZQ?", True),
)


def _questions(
    settings: Settings, day: date, *, show: bool
) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Representative questions through the agent, one thread, as of ``day``; then the daily
    briefing of the default watchlist, its reports written under ``HOME/reports``."""
    from rich.markdown import Markdown
    from rich.rule import Rule

    from agent.runner import open_agent

    out: list[dict[str, object]] = []
    with open_agent(settings) as agent:
        thread = None
        for question, should_refuse in QUESTIONS:
            result = agent.ask(question, as_of=day, thread_id=thread)
            thread = result.thread_id
            out.append(
                {
                    "question": question,
                    "refused": result.answer.refused,
                    "should_refuse": should_refuse,
                    "verified": result.verification.ok,
                    "tools": [s.name for s in result.steps],
                    "seconds": round(result.elapsed_s, 3),
                    "answer": result.answer.model_dump(mode="json"),
                }
            )
            if show:
                console.print(Rule(f"ask: {question}"))
                Console(highlight=False).print(Markdown(result.answer.markdown))
                tools = ", ".join(s.name for s in result.steps) or "none (declined)"
                verdict = "verified" if result.verification.ok else "NOT VERIFIED"
                console.print(
                    f"[dim]{agent.model_label} · tools: {tools} · {verdict} · "
                    f"{result.elapsed_s:.2f} s[/dim]"
                )
        briefing = _briefing(settings, agent, day, show=show)
    if show:
        cmd = command_name()
        console.print(
            f'Ask your own: {cmd} ask "Should I buy Apple?" --as-of 2012-06-29, '
            f"or {cmd} chat; brief a watchlist: {cmd} briefing --watchlist AAPL,IBM "
            "--as-of 2013-03-01.",
            markup=False,
        )
    return out, briefing


def command_name() -> str:
    """How to run ``signaldesk`` from here, as it can be typed: the bare name when it is on the
    PATH (an activated venv), else the venv's script by its path (``.venv/bin/signaldesk``)."""
    import os
    import shutil
    import sys

    script = Path(sys.executable).parent / "signaldesk"
    found = shutil.which("signaldesk")
    if found and Path(found).resolve() == script.resolve():
        return "signaldesk"
    if script.exists():
        relative = os.path.relpath(script)  # ".venv/bin/signaldesk" from the repository
        return str(script) if relative.startswith("..") else relative
    return "signaldesk"


def _briefing(settings: Settings, agent: object, day: date, *, show: bool) -> dict[str, object]:
    from rich.rule import Rule

    from briefing import Watchlist
    from cli.briefing import print_summary, run_and_write

    watchlist = Watchlist.of(list(settings.briefing_watchlist))
    report, paths = run_and_write(
        settings,
        agent,
        watchlist=watchlist,
        as_of=day,
        out=settings.reports_dir,
        formats=["md", "html", "json"],
    )
    if show:
        console.print(Rule(f"briefing: {', '.join(watchlist.tickers)}"))
        print_summary(report, paths)
    return {
        "complete": report.complete,
        "calls": {b.ticker: b.action for b in report.tickers},
        "reports": [str(p) for p in paths],
    }


def _signal(ctx: ToolContext, ticker: str) -> dict[str, object]:
    """The deterministic signal, or why there is none (e.g. too little history)."""
    from tools.signal import signal_evidence

    try:
        evidence, _ = signal_evidence(ctx, ticker)
    except (DataError, ValueError) as err:
        return {"action": None, "reason": str(err)}
    v = evidence.values
    return {
        "action": v["action"],
        "score": v["score"],
        "position_size": v["position_size"],
        "evidence": evidence.id,
    }


def _quality(report: dict) -> str:
    errors, warnings = report["errors"], report["warnings"]
    if errors:
        return f"[red]{errors} err[/]"
    return f"{warnings} warn" if warnings else "ok"


def _print(rows: list[dict], as_of: str, settings: Settings) -> None:
    table = Table(title=f"SignalDesk demo, as of {as_of} (bundled real prices)", box=SIMPLE)
    for col in ("ticker", "close", "1y ret", "1y vol", "1y DD", "signal", "quality"):
        table.add_column(col, justify="right", no_wrap=True)
    inserted = unchanged = 0
    for r in rows:
        if "error" in r:
            table.add_row(r["ticker"], "[red]error[/]", r["error"], *[""] * 4)
            continue
        s, sig = r["summary"], r["signal"]
        inserted += r["load"]["inserted"]
        unchanged += r["load"]["unchanged"]
        table.add_row(
            r["ticker"] + ("" if s["last_date"] == as_of else f" ({s['last_date']})"),
            f"{s['last_close']:.2f}",
            _pct(s["return_1y"]),
            _pct(s["volatility_1y"]).lstrip("+"),
            _pct(s["max_drawdown_1y"]),
            "n/a" if sig["action"] is None else f"{sig['action']} {sig['score']:.2f}",
            _quality(r["quality_counts"]),
        )
    console.print(table)
    console.print(
        "close: last adjusted close on or before the as-of date; 1y DD: worst drawdown over the\n"
        "last 252 bars; signal: the confluence signal and its score ('signaldesk signal TICKER');\n"
        "quality: 'signaldesk data check'. Prices are split/dividend-adjusted as of the last bar,\n"
        "so no later corporate action leaks in. Research, not investment advice.\n"
        f"database {settings.public_dict()['resolved_database']}: "
        f"{inserted:,} bars added, {unchanged:,} already there",
        markup=False,
    )
