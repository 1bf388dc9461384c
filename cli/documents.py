"""``signaldesk ingest | search | sentiment``: documents, retrieval and sentiment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer

from cli._output import (
    Exit,
    ProgressOpt,
    as_of_option,
    console,
    err_console,
    parse_date,
    print_json,
    show_progress,
)
from data.errors import DataError, InvalidRangeError

if TYPE_CHECKING:
    from core.settings import Settings

ingest_app = typer.Typer(help="Add filings, calls and news to the index.", no_args_is_help=True)
JsonOpt = typer.Option(False, "--json", help="Machine-readable JSON")


def _report(report: Any, as_json: bool, what: str) -> None:
    """Print the ingest report, then exit 0 (all read), 1 (files skipped, listed) or 3 (nothing
    ingested: every file was skipped, or there was none)."""
    data = report.to_dict()
    if as_json:
        print_json(data)
    else:
        _print_report(data, what)
    skipped = data["skipped"]
    if data["status"] == "nothing":
        err_console.print(
            f"error: nothing ingested from {what}: "
            + (f"all {len(skipped)} files were skipped" if skipped else "no supported files"),
            markup=False,
        )
        raise typer.Exit(Exit.UNAVAILABLE)
    if data["status"] == "partial":
        raise typer.Exit(Exit.CHECK_FAILED)


def _print_report(data: dict[str, Any], what: str) -> None:
    rate = f", {data['chunks_per_s']:,.0f} chunks/s" if data["chunks_per_s"] else ""
    console.print(
        f"{what}: {data['documents']} documents, {data['news']} news items -> {data['chunks']} "
        f"chunks ({data['embedded']} newly embedded) in {data['seconds']:.1f} s{rate}; "
        f"{data['new_news']} new headlines and {data['new_calls']} new calls for sentiment; "
        f"{data['injection_flagged_chunks']} chunks flagged as possible prompt injection",
        markup=False,
    )
    skipped = data["skipped"]
    for item in skipped[:20]:
        console.print(f"skipped {item['path']}: {item['reason']}", markup=False)
    if len(skipped) > 20:
        console.print(f"... and {len(skipped) - 20} more skipped files (--json lists all)")


@ingest_app.command("folder")
def ingest_folder(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., help="Folder of .txt/.md/.html/.pdf files and .jsonl/.csv news"
    ),
    ticker: str | None = typer.Option(
        None, "--ticker", help="Ticker for every file (else from names/content)"
    ),
    kind: str | None = typer.Option(None, "--kind", help="filing | call | news (else detected)"),
    available_on: str | None = typer.Option(
        None, "--date", help="Filing/publication date for every file"
    ),
    as_json: bool = JsonOpt,
    progress: bool | None = ProgressOpt,
) -> None:
    """Index a local folder; bad files are reported and skipped, the rest go on.

    Example: signaldesk ingest folder ../shared/data/sec_10k_text_aapl_msft_tsla_2006_2025
    """
    from agent.services import open_corpus, open_index
    from retrieval.ingest import ingest
    from retrieval.sources.folder import load_folder
    from retrieval.sources.limits import ParseLimits

    if not path.is_dir():
        raise DataError(f"{path} is not a folder")
    if kind not in (None, "filing", "call", "news"):
        raise DataError(f"--kind {kind!r}: use filing, call or news")
    settings: Settings = ctx.obj
    load = load_folder(
        path,
        ticker=ticker.upper() if ticker else None,
        kind=kind,  # type: ignore[arg-type]
        available_on=parse_date(available_on, name="--date"),
        limits=ParseLimits(
            max_bytes=settings.ingest_max_bytes, max_seconds=settings.ingest_max_seconds
        ),
    )
    index = open_index(settings)
    with show_progress(None, "ingest: embedding chunks", progress) as steps:
        report = ingest(
            documents=load.documents,
            news=load.news,
            index=index,
            corpus=open_corpus(settings),
            skipped=load.skipped,
            on_progress=lambda done, total: steps.at(done, total, "chunks embedded"),
        )
    _report(report, as_json, str(path))


@ingest_app.command("edgar")
def ingest_edgar(
    ctx: typer.Context,
    ticker: str = typer.Argument(..., help="Ticker, e.g. AAPL"),
    forms: str = typer.Option("10-K,10-Q", "--forms", help="Comma-separated form types"),
    since: str | None = typer.Option(None, "--since", help="Only filings on or after this date"),
    as_json: bool = JsonOpt,
    progress: bool | None = ProgressOpt,
) -> None:
    """Fetch filings from SEC EDGAR (online; needs SIGNALDESK_EDGAR_USER_AGENT) and index them.

    Example: SIGNALDESK_EDGAR_USER_AGENT="Jane Doe jane@example.com" \
             signaldesk ingest edgar IBM --since 2020-01-01
    """
    from agent.services import open_corpus, open_index
    from retrieval.ingest import ingest
    from retrieval.sources.edgar_online import EdgarClient, EdgarError

    settings: Settings = ctx.obj
    if not settings.edgar_user_agent:
        raise DataError(
            "SEC EDGAR needs a declared User-Agent: set SIGNALDESK_EDGAR_USER_AGENT to 'name email'"
        )
    try:
        with EdgarClient(
            settings.edgar_user_agent, cache_dir=settings.cache_dir / "edgar"
        ) as client:
            docs = client.fetch_filings(
                ticker.upper(),
                forms=[f.strip().upper() for f in forms.split(",")],
                since=parse_date(since, name="--since"),
            )
            skipped = client.skipped
    except EdgarError as err:
        raise DataError(f"EDGAR: {err}") from None
    index = open_index(settings)
    with show_progress(None, "ingest: embedding chunks", progress) as steps:
        report = ingest(
            documents=docs,
            index=index,
            corpus=open_corpus(settings),
            skipped=skipped,
            on_progress=lambda done, total: steps.at(done, total, "chunks embedded"),
        )
    _report(report, as_json, f"EDGAR {ticker.upper()}")


def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="What to look for"),
    ticker: str | None = typer.Option(None, "--ticker"),
    form: str | None = typer.Option(None, "--form", help="e.g. 10-K"),
    section: str | None = typer.Option(None, "--section", help="e.g. 'Item 1A'"),
    kind: str | None = typer.Option(None, "--kind", help="filing | call | news"),
    as_of: str | None = typer.Option(None, "--as-of", help="Only documents available by this date"),
    fiscal_year: int | None = typer.Option(
        None, "--fiscal-year", min=1900, max=2100, help="Fiscal year reported on, e.g. 2010"
    ),
    filed_after: str | None = typer.Option(
        None, "--filed-after", help="Only documents filed on or after this date"
    ),
    filed_before: str | None = typer.Option(
        None, "--filed-before", help="Only documents filed on or before this date"
    ),
    k: int = typer.Option(5, "-k", min=1, max=50, help="Passages to return"),
    as_json: bool = JsonOpt,
) -> None:
    """Hybrid (BM25 + dense) search over ingested documents, point in time.

    Examples: signaldesk search "risk factors supply chain" --ticker AAPL --as-of 2010-12-31
              signaldesk search "gross margin" --form 10-K --fiscal-year 2010
              signaldesk search "iPhone" --filed-after 2008-01-01 --filed-before 2009-12-31
    """
    from agent.services import build_tool_context
    from data.bars import normalize_ticker
    from tools.documents import Kind, search_evidence

    after = parse_date(filed_after, name="--filed-after")
    before = parse_date(filed_before, name="--filed-before")
    if after and before and after > before:
        raise InvalidRangeError(f"--filed-after {after} is after --filed-before {before}")
    tool_ctx = build_tool_context(ctx.obj, as_of=as_of_option(as_of))
    if kind not in (None, "filing", "call", "news"):
        raise DataError(f"--kind {kind!r}: use filing, call or news")
    kinds = None if kind is None else (cast("Kind", kind),)  # one of them, checked above
    found = search_evidence(
        tool_ctx,
        query,
        ticker=None if ticker is None else normalize_ticker(ticker),
        form=form,
        section=section,
        kinds=kinds,
        fiscal_year=fiscal_year,
        filed_after=after,
        filed_before=before,
        k=k,
    )
    if as_json:
        print_json(
            {
                "query": query,
                "as_of": tool_ctx.as_of.isoformat(),
                "passages": [e.model_dump(mode="json") for e in found],
            }
        )
        return
    if not found:
        console.print("no passages match (have you ingested documents? see 'signaldesk ingest')")
    for ev in found:
        s = ev.source
        flag = "  [possible prompt injection]" if ev.values["injection_suspected"] else ""
        console.print(
            f"[bold]{ev.values['rank']}. {' '.join(ev.tickers)} {s['form'] or ''} "
            f"{s['fiscal_period'] or ''} {s['section']}[/] filed {s['filed']}  "
            f"score {ev.values['score']:.4f}{flag}"
        )
        console.print(f"   {' '.join(ev.values['text'].split())[:400]}", markup=False)
        console.print(f"   {s['path']}  ({ev.values['passage_id']})", markup=False)


def sentiment(
    ctx: typer.Context,
    text_or_ticker: str | None = typer.Argument(
        None, help="Text to score, or a ticker with --as-of"
    ),
    file: Path | None = typer.Option(None, "--file", help="Score the text of a file"),
    as_of: str | None = typer.Option(
        None, "--as-of", help="With a ticker: the aggregate at this date"
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Score text (FinBERT when its weights are present, else the trained MiniLM model, else the
    Loughran-McDonald lexicon), or a ticker's news and call sentiment at a date (last week 40%,
    weeks 1-4 30%, calls 30%). Every score names the model that made it.

    Examples: signaldesk sentiment "Revenue fell short of guidance"
              signaldesk sentiment AAPL --as-of 2012-01-25
    """
    settings: Settings = ctx.obj
    if as_of is not None:
        from agent.services import build_tool_context
        from data.bars import normalize_ticker
        from tools.sentiment import sentiment_evidence

        if not text_or_ticker:
            raise DataError("name a TICKER with --as-of")
        tool_ctx = build_tool_context(settings, as_of=as_of_option(as_of))
        ev = sentiment_evidence(tool_ctx, normalize_ticker(text_or_ticker))
        if as_json:
            print_json(ev.model_dump(mode="json"))
        else:
            console.print(ev.summary, markup=False)
            for item in ev.values.get("top_items", []):
                console.print(
                    f"  {item['published']} {item['score']:+.2f} {item['title']}", markup=False
                )
        return
    _score_text(settings, text_or_ticker, file, as_json)


def _score_text(settings: Settings, text: str | None, file: Path | None, as_json: bool) -> None:
    from quant.sentiment import load_scorer

    if file is not None:
        try:
            raw = file.read_bytes()
        except OSError as err:
            raise DataError(f"cannot read {file}: {err}") from None
        if b"\x00" in raw or raw.startswith(b"%PDF"):  # scoring its bytes would score nothing
            raise DataError(f"{file} is not a text file: give a .txt, .md or .html file")
        text = raw.decode("utf-8", errors="replace")
    if not text or not text.strip():
        raise DataError("give TEXT to score, --file PATH, or a TICKER with --as-of")
    result = load_scorer(model=settings.sentiment_model).score([text])[0]
    data = {
        "label": result.label,
        "score": result.score,
        "positive": result.positive,
        "negative": result.negative,
        "neutral": result.neutral,
        "model": result.model,
    }
    if as_json:
        print_json(data)
    else:
        console.print(
            f"{data['label']}  score {data['score']:+.3f}  (model {data['model']})", markup=False
        )
