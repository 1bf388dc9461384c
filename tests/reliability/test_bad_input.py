"""The bad-input corpus (issue 23), part one: unknown and malformed tickers, impossible dates and
CSV pathologies, run through every command that takes them (documents and eval suites are in
test_bad_files.py). Each case asserts the README's exit code (0 ok, 1 partial, 2 bad input, 3 a
service or data source unavailable), one line on stderr besides log records and never a
traceback, and that nothing good was lost (the good ticker of a ``data load``).

Everything is built in ``tmp_path``; commands run in this process (tests/cli/runner.py) on small
data, so the whole matrix stays quick.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli.runner import run
from tests.data._fakes import make_raw
from tests.reliability.bad_input import REPORTS, check

pytestmark = pytest.mark.reliability

AS_OF = "2012-06-29"


# --- tickers -------------------------------------------------------------------------------

TICKERS = {
    "unknown": "XYZQ",
    "empty": "",
    "500-chars": "A" * 500,
    "unicode": "ÄÖÜ€",
    "path": "../etc",
}


def _ticker_args(command: str, ticker: str) -> list[str]:
    return {
        "signal": ["signal", ticker, "--as-of", AS_OF],
        "technicals": ["technicals", ticker, "--as-of", AS_OF],
        "risk": ["risk", ticker, "--as-of", AS_OF],
        "backtest": ["backtest", ticker, "--strategy", "buy_and_hold"],
        "train": ["train", ticker, "--end", AS_OF, "--horizons", "5"],
        "sentiment": ["sentiment", ticker, "--as-of", AS_OF],
        "data-fetch": ["data", "fetch", ticker, "--end", AS_OF],
        "data-check": ["data", "check", ticker, "--end", AS_OF],
        "data-load": ["data", "load", ticker, "--end", AS_OF],
        "briefing": ["briefing", "--watchlist", ticker, "--as-of", AS_OF, "--no-progress"],
        "search": ["search", "risk factors", "--ticker", ticker],
        "ask": ["ask", f"What is the 95% VaR of {ticker}?", "--as-of", AS_OF],
    }[command]


TICKER_COMMANDS = [
    "signal",
    "technicals",
    "risk",
    "backtest",
    "train",
    "sentiment",
    "data-fetch",
    "data-check",
    "data-load",
    "briefing",
    "search",
    "ask",
]


# Commands over several tickers report each one and exit 1 when any failed (the README's
# "partial"), even when all did; sentiment and search read the document index, which has no
# list of instruments: an unknown (well-formed) ticker simply has nothing there.
_UNKNOWN = {
    "train": (1, "XYZQ"),
    "data-check": (1, "XYZQ"),
    "data-load": (1, "XYZQ"),
    "sentiment": (0, "no news or calls"),
    "search": (0, "no passages match"),
}


def _ticker_expected(command: str, case: str) -> tuple[int, str]:
    if case == "unknown":
        return _UNKNOWN.get(command, (2, "XYZQ"))
    if command == "ask":  # the question names no ticker the agent can use: it asks which
        return 2, "Which company do you mean?"
    if command == "sentiment" and case == "empty":
        return 2, "name a TICKER with --as-of"
    if command == "briefing" and case == "empty":
        return 2, "the watchlist is empty"
    return 2, "invalid ticker"


@pytest.mark.parametrize("case", list(TICKERS))
@pytest.mark.parametrize("command", TICKER_COMMANDS)
def test_bad_ticker(command: str, case: str) -> None:
    code, text = _ticker_expected(command, case)
    check(run(*_ticker_args(command, TICKERS[case])), code, text, report=command in REPORTS)


# --- dates ---------------------------------------------------------------------------------

DATES = {
    "future": ("2099-01-01", None),
    "feb-30": ("2013-02-30", None),
    "year-1800": ("1800-01-01", None),
    "reversed": ("2012-06-01", "2012-01-01"),
    "empty-range": ("2012-06-02", "2012-06-03"),  # a weekend
}


def _date_args(command: str, start: str, end: str | None) -> list[str]:
    """``end`` None: the date is the command's one date (as-of or end)."""
    one = start if end is None else end
    ranged = ["--start", start, "--end", end] if end is not None else ["--end", one]
    return {
        "signal": ["signal", "AAPL", "--as-of", one],
        "technicals": ["technicals", "AAPL", "--as-of", one],
        "risk": ["risk", "AAPL", "--as-of", one],
        "backtest": ["backtest", "AAPL", "--strategy", "buy_and_hold", *ranged],
        "train": ["train", "AAPL", "--end", one, "--horizons", "5"],
        "sentiment": ["sentiment", "AAPL", "--as-of", one],
        "data-fetch": ["data", "fetch", "AAPL", *ranged],
        "data-check": ["data", "check", "AAPL", *ranged],
        "data-load": ["data", "load", "AAPL", *ranged],
        "briefing": ["briefing", "--watchlist", "AAPL", "--as-of", one, "--no-progress"],
        "search": ["search", "risk", "--as-of", one]
        if end is None
        else ["search", "risk", "--filed-after", start, "--filed-before", end],
        "ask": ["ask", "What is the 95% VaR of AAPL?", "--as-of", one],
    }[command]


RANGED = {"backtest", "data-fetch", "data-check", "data-load", "search"}


# A future as-of is read as "the latest data" by the quant and data commands (they print the
# last bar's date); ask and briefing refuse it. Documents have no coverage to fall outside: an
# empty window finds nothing (exit 0). Data commands over several tickers report a ticker with
# no bars in the window and exit 1.
_NO_BARS = (2, "has no bars in")
_DATE_EXPECTED = {
    "future": {"ask": (2, "after today"), "briefing": (2, "after today")},
    "year-1800": {
        # A warning line per ticker with its cause, and exit 3 when none was covered (the
        # briefing's own rule, "nothing could be covered"), though the cause is the input.
        "briefing": (3, "has no bars in"),
        "signal": _NO_BARS,
        "technicals": _NO_BARS,
        "risk": _NO_BARS,
        "backtest": _NO_BARS,
        "train": (1, "error"),
        "data-fetch": _NO_BARS,
        "data-check": (1, "has no bars in"),
        "data-load": (1, "failed"),
        "ask": (2, "has no bars in"),
    },
    "empty-range": {
        "backtest": (2, ""),
        "data-fetch": _NO_BARS,
        "data-check": (1, "has no bars in"),
        "data-load": (1, "failed"),
    },
}


def _date_expected(command: str, case: str) -> tuple[int, str]:
    if case == "feb-30":
        return 2, "'2013-02-30' is not a date"
    if case == "reversed":
        return 2, "is after --filed-before" if command == "search" else "swap the dates"
    return _DATE_EXPECTED[case].get(command, (0, ""))


DATE_CASES = [
    pytest.param(command, case, id=f"{command}-{case}")
    for command in TICKER_COMMANDS
    for case in DATES
    if command in RANGED or DATES[case][1] is None
]


@pytest.mark.parametrize(("command", "case"), DATE_CASES)
def test_bad_date(command: str, case: str) -> None:
    code, text = _date_expected(command, case)
    check(run(*_date_args(command, *DATES[case])), code, text, report=command in REPORTS)


# --- CSV pathologies -----------------------------------------------------------------------


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    frame.reset_index().to_csv(folder / f"{name}.csv", index=False)


@pytest.fixture(scope="module")
def csvs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder: GOOD (900 clean bars, enough for a walk-forward backtest) and one file per
    pathology."""
    folder = tmp_path_factory.mktemp("csv")
    # 900 business days ending on the as-of date (data that end 15 days earlier are stale,
    # which makes a briefing partial: not what these cases are about)
    good = make_raw(str(pd.bdate_range(end=AS_OF, periods=900)[0].date()), periods=900)
    _write(folder, "GOOD", good)
    _write(folder, "^GSPC", good)  # the backtest's benchmark
    _write(folder, "SHORT", good.iloc[:60])  # too few bars for the indicators' warm-up
    (folder / "EMPTY.csv").write_text("")
    good.reset_index().iloc[:0].to_csv(folder / "HEADER.csv", index=False)
    nan = good.copy()
    nan.iloc[100:110, nan.columns.get_loc("close")] = np.nan
    _write(folder, "NANP", nan)
    neg = good.copy()
    for col in ("open", "high", "low", "close", "adj_close"):
        neg[col] = -neg[col]
    _write(folder, "NEGP", neg)
    dup = good.reset_index()
    pd.concat([dup, dup.iloc[50:55]]).to_csv(folder / "DUPD.csv", index=False)
    rows = good.reset_index()
    rows.sample(frac=1.0, random_state=np.random.default_rng(3)).to_csv(
        folder / "SHUF.csv", index=False
    )
    _write(folder, "CASE", good)
    _write(folder, "case", good.iloc[:50])
    (folder / "DIRX.csv").mkdir()
    os.symlink(folder / "LOOP.csv", folder / "LOOP.csv")
    return folder


CSV_CASES = {
    # ticker: (exit code of a single-ticker command, text of its line)
    "SHORT": (2, "need at least 251 bars"),
    "EMPTY": (2, "EMPTY.csv"),
    "HEADER": (2, "no rows"),
    "NANP": (0, ""),
    "NEGP": (2, "quality checks"),
    "DUPD": (0, ""),
    "SHUF": (0, ""),
    "CASE": (2, "more than one file"),
    "DIRX": (2, "Is a directory"),
    "LOOP": (2, "symbolic links"),
}
CSV_COMMANDS = ["data-fetch", "data-check", "technicals", "risk", "signal", "backtest", "briefing"]


def _csv_args(command: str, ticker: str, source: str) -> list[str]:
    return {
        "data-fetch": ["data", "fetch", ticker, "--end", AS_OF, "--source", source],
        "data-check": ["data", "check", ticker, "--end", AS_OF, "--source", source],
        "technicals": ["technicals", ticker, "--as-of", AS_OF, "--source", source],
        "risk": ["risk", ticker, "--as-of", AS_OF, "--source", source],
        "signal": ["signal", ticker, "--as-of", AS_OF, "--source", source],
        "backtest": ["backtest", ticker, "--strategy", "buy_and_hold", "--source", source],
        "briefing": ["briefing", "--watchlist", ticker, "--as-of", AS_OF, "--no-progress"],
    }[command]


def _csv_expected(command: str, ticker: str) -> tuple[int, str]:
    code, text = CSV_CASES[ticker]
    if ticker == "SHORT" and command in ("data-fetch", "data-check", "risk"):
        return 0, ""  # 60 bars are data, and enough for VaR
    if ticker == "SHORT" and command == "backtest":
        return 2, "not enough history: only 0 walk-forward folds"
    if command == "data-check":  # a report per ticker: exit 1 on quality errors
        return (0, "") if ticker == "SHUF" else (1, "")
    if command == "briefing" and code == 2:
        # A warning line per ticker with the cause, and exit 3 when none was covered (the
        # briefing's own rule, "nothing could be covered"); see the report for 2 vs 3.
        return 3, "" if ticker == "HEADER" else text
    return code, text


@pytest.mark.parametrize("ticker", list(CSV_CASES))
@pytest.mark.parametrize("command", CSV_COMMANDS)
def test_csv_pathology(
    csvs: Path, monkeypatch: pytest.MonkeyPatch, command: str, ticker: str
) -> None:
    source = f"csv:{csvs}"
    monkeypatch.setenv("SIGNALDESK_SOURCES", source)
    code, text = _csv_expected(command, ticker)
    check(run(*_csv_args(command, ticker, source)), code, text, report=command == "data-check")


@pytest.mark.parametrize("ticker", ["EMPTY", "HEADER", "NEGP", "CASE", "DIRX", "LOOP"])
def test_data_load_keeps_the_good_ticker_beside_a_broken_csv(csvs: Path, ticker: str) -> None:
    out = run("data", "load", "GOOD", ticker, "--end", AS_OF, "--source", f"csv:{csvs}", "--json")
    check(out, 1)
    results = {r["ticker"]: r for r in json.loads(out.stdout)["results"]}
    assert results["GOOD"]["inserted"] == 900  # every bar: nothing of GOOD lost
