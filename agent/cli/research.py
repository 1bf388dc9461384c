"""Quant commands: ``signaldesk risk`` (and, as they land, technicals, signal, train, backtest).

Each prints a table, or with ``--json`` the Evidence the agent would cite (id, as_of, data
window, source, values).
"""

from __future__ import annotations

from datetime import date

import typer
from rich.box import SIMPLE
from rich.table import Table

from agent.cli._output import console, parse_date, print_json
from agent.services import build_tool_context
from tools.risk import risk_evidence

AsOfOpt = typer.Option(None, "--as-of", help="Point-in-time date, YYYY-MM-DD (default: today)")
SourceOpt = typer.Option(None, "--source", help="Provider chain, e.g. bundled | csv:DIR")
JsonOpt = typer.Option(False, "--json", help="Machine-readable JSON (the Evidence)")


def _as_of(value: str | None) -> date:
    return parse_date(value, name="--as-of") or date.today()


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
    tool_ctx = build_tool_context(ctx.obj, as_of=_as_of(as_of), sources=source)
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
