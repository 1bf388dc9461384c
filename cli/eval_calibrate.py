"""``signaldesk eval calibrate``: the briefing's stored calls scored against what happened next.

Reads the calls stored in ``signals`` between ``--start`` and ``--end`` (every ticker with calls,
or the ``--watchlist``; one replay with ``--run-id``), joins each with its forward returns from
the configured price sources, and scores hit rate, Brier score, log loss, reliability and returns
by bucket beside the always-buy, momentum and random baselines (``evals.calibration.scoring``). With
``--replay`` and no calls stored for the range, it first replays the briefing numbers-only (no
agent turns: the explanation never changes a call, and scoring needs only the calls). The run is
stored in ``eval_runs`` (suite ``calibration``), so ``signaldesk eval compare`` works on it.

Exit codes: 0 scored; 2 bad input (no calls and no ``--replay``, bad dates or horizons, calls of
two signal configurations on the same date); 3 unavailable (no prices for any ticker, or the
replay covered nothing).
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cli._output import Exit, ProgressOpt, console, err_console, parse_date, print_json
from core.asof import today
from data.errors import DataError, InvalidRangeError

if TYPE_CHECKING:
    import pandas as pd
    import sqlalchemy as sa

    from core.settings import Settings

__all__ = ["calibrate"]

_HISTORY_DAYS = 45  # calendar days of bars before the first call (the 20-bar momentum)


def _fail(message: str, code: Exit) -> typer.Exit:
    err_console.print(f"error: {message}", markup=False)
    return typer.Exit(code)


def _horizons(spec: str) -> list[int]:
    try:
        values = sorted({int(part) for part in spec.split(",") if part.strip()})
    except ValueError:
        values = []
    if not values or values[0] < 1:
        raise _fail(
            f"--horizons {spec!r}: use whole numbers of trading days, e.g. 1,5,20", Exit.BAD_INPUT
        )
    return values


def _stored_calls(
    engine: sa.Engine, *, start: date, end: date, tickers: list[str] | None, run_id: str | None
) -> pd.DataFrame:
    """The stored calls in [start, end] (columns ticker, as_of, action, score, confidence, ...)."""
    import pandas as pd
    import sqlalchemy as sa

    from briefing import BriefingStore
    from data.store import Signal

    c = Signal.__table__.c
    if tickers is None:
        query = sa.select(c.ticker).distinct().where(c.as_of.between(start, end))
        if run_id is not None:
            query = query.where(c.run_id == run_id)
        with engine.connect() as conn:
            tickers = sorted(conn.execute(query).scalars())
    store = BriefingStore(engine)
    frames = [
        store.calls(t, start=start, end=end, run_id=run_id).reset_index().assign(ticker=t)
        for t in tickers
    ]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _replay(
    settings: Settings,
    *,
    watchlist: str | None,
    start: date,
    end: date,
    every: str,
    progress: bool | None,
) -> str:
    """Replay the briefing numbers-only over the range; returns the replay's run id."""
    from agent.deps import deps_from_settings
    from agent.services import open_corpus
    from briefing import BriefingPlan
    from briefing.replay import replay, replay_dates
    from cli._output import show_progress
    from cli.briefing import _store, _watchlist

    wl = _watchlist(watchlist, None, settings)
    dates = replay_dates(start, end, every=every)
    run_id = f"replay-{uuid.uuid4().hex[:12]}"
    plan = BriefingPlan(
        workers=settings.briefing_workers,
        ticker_timeout_s=settings.briefing_ticker_timeout_s,
        keep_threads=False,
    )
    with show_progress(len(dates), "replay", progress) as step:
        summary = replay(
            None,
            deps_from_settings(settings, model=None).context_for,
            watchlist=wl,
            dates=dates,
            store=_store(settings),
            run_id=run_id,
            plan=plan,
            documents=open_corpus(settings),
            on_date=lambda r: step(f"{r.as_of}: {len(r.covered)}/{len(r.tickers)}"),
        )
    if not summary.calls:
        raise _fail(f"the replay from {start} to {end} covered no ticker", Exit.UNAVAILABLE)
    return run_id


def _closes(settings: Settings, calls: pd.DataFrame, *, horizon: int) -> dict[str, pd.Series]:
    """Close prices of each ticker from before its first call to ``horizon`` bars after its
    last (as far as the data goes). A ticker whose prices fail is left out and named."""
    from agent.services import build_market_data

    market = build_market_data(settings)
    ahead = timedelta(days=math.ceil(horizon * 7 / 5) + 14)
    out: dict[str, pd.Series] = {}
    for ticker, group in calls.groupby("ticker"):
        first, last = group["as_of"].min().date(), group["as_of"].max().date()
        end = min(last + ahead, today())
        try:
            bars = market.bars(str(ticker), start=first - timedelta(days=_HISTORY_DAYS), end=end)
        except DataError as err:
            err_console.print(f"warning: {ticker}: no prices: {err}", markup=False)
            continue
        out[str(ticker)] = bars.frame["close"]
    if not out:
        raise _fail("no prices for any ticker with calls", Exit.UNAVAILABLE)
    return out


def _save(
    engine: sa.Engine,
    result: Any,  # noqa: ANN401 - evals.calibration.scoring.CalibrationResult
    *,
    model: str,
    settings: dict[str, Any],
    started: datetime,
) -> int:
    from evals.calibration.report import summary_metrics
    from evals.runs import insert_run

    metrics = {
        "summary": summary_metrics(result),
        "cases": [],
        "calibration": result.model_dump(mode="json"),
    }
    return insert_run(
        engine,
        suite="calibration",
        model=model,
        settings=settings,
        metrics=metrics,
        started=started,
    )


def _calls(
    settings: Settings,
    engine: sa.Engine,
    *,
    start: date,
    end: date,
    watchlist: str | None,
    run_id: str | None,
    replay: tuple[str, bool | None] | None,
) -> tuple[pd.DataFrame, str, str | None]:
    """The calls to score, where they came from, and the replay run id they belong to (if one).
    ``replay``: (every, progress) to replay the range when nothing is stored for it."""
    from cli.briefing import _watchlist

    tickers = None if watchlist is None else list(_watchlist(watchlist, None, settings).tickers)
    calls = _stored_calls(engine, start=start, end=end, tickers=tickers, run_id=run_id)
    source = "stored calls" + ("" if run_id is None else f" of run {run_id}")
    if calls.empty and replay is not None:
        every, progress = replay
        run_id = _replay(
            settings, watchlist=watchlist, start=start, end=end, every=every, progress=progress
        )
        calls = _stored_calls(engine, start=start, end=end, tickers=tickers, run_id=run_id)
        source = f"replayed numbers-only now (run {run_id})"
    if calls.empty:
        raise _fail(
            f"no stored calls from {start} to {end}: run `signaldesk briefing replay` first "
            "or pass --replay",
            Exit.BAD_INPUT,
        )
    if calls.duplicated(["ticker", "as_of"]).any():
        runs = ", ".join(sorted(calls["run_id"].dropna().unique()))
        raise _fail(
            f"calls of more than one signal configuration share a ticker and date (runs {runs}):"
            " pass --run-id",
            Exit.BAD_INPUT,
        )
    return calls, source, run_id


def calibrate(
    ctx: typer.Context,
    start: str = typer.Option(..., "--start", help="First call date, YYYY-MM-DD"),
    end: str = typer.Option(..., "--end", help="Last call date, YYYY-MM-DD"),
    watchlist: str | None = typer.Option(
        None, "--watchlist", help="Only these tickers, e.g. AAPL,MSFT (default: every stored one)"
    ),
    run_id: str | None = typer.Option(None, "--run-id", help="Only the calls of this replay run"),
    horizons: str = typer.Option("1,5,20", "--horizons", help="Forward horizons in trading days"),
    out: Path | None = typer.Option(None, "--out", help="Write Markdown, JSON and HTML here"),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON"),
    replay: bool = typer.Option(
        False, "--replay", help="No calls stored for the range: replay the briefing first"
    ),
    every: str = typer.Option("week", "--every", help="With --replay: day, week or month"),
    seed: int = typer.Option(7, "--seed", help="Seed of the random baseline's shuffles"),
    progress: bool | None = ProgressOpt,
) -> None:
    """Score the briefing's stored calls against the returns that followed: hit rate by action,
    Brier score and log loss of the stated confidence, a reliability curve and the average
    return by signal bucket, beside always-buy, momentum and random baselines.

    Example: signaldesk eval calibrate --start 2011-01-01 --end 2012-12-31
    --watchlist AAPL,MSFT,IBM,GOOG --replay --out reports/
    """
    import numpy as np

    from cli.briefing import _store
    from evals.calibration.report import scoreboard_table, write_reports
    from evals.calibration.scoring import calibrate as score_calls

    settings: Settings = ctx.obj
    first, last = parse_date(start, name="--start"), parse_date(end, name="--end")
    assert first is not None and last is not None  # required options
    if first > last:
        raise InvalidRangeError(f"--start {first} is after --end {last}")
    chosen = _horizons(horizons)
    engine = _store(settings).engine
    started = datetime.now(UTC)
    calls, source, run_id = _calls(
        settings,
        engine,
        start=first,
        end=last,
        watchlist=watchlist,
        run_id=run_id,
        replay=(every, progress) if replay else None,
    )
    closes = _closes(settings, calls, horizon=chosen[-1])
    result = score_calls(calls, closes, rng=np.random.default_rng(seed), horizons=chosen)
    configs = sorted(calls["config_hash"].unique())
    about = {
        "calls": source,
        "signal configuration": ", ".join(configs),
        "random baseline seed": str(seed),
    }
    run_settings = {
        **settings.public_dict(),
        "calibration": {
            "start": str(first),
            "end": str(last),
            "tickers": result.tickers,
            "run_id": run_id,
            "horizons": chosen,
            "seed": seed,
            "config_hashes": configs,
        },
    }
    model = "signal " + "+".join(c[:12] for c in configs)
    eval_run = _save(engine, result, model=model, settings=run_settings, started=started)
    paths = write_reports(result, out, about=about) if out is not None else []
    if as_json:
        print_json({"eval_run": eval_run, "about": about, **json.loads(result.model_dump_json())})
    else:
        console.print(
            f"calibration (eval run {eval_run}): {result.calls} calls on "
            f"{', '.join(result.tickers)} from {result.start} to {result.end} · {source}",
            markup=False,
        )
        console.print(scoreboard_table(result), markup=False)
        for path in paths:
            console.print(f"wrote {path}", markup=False)
    raise typer.Exit(Exit.OK)
