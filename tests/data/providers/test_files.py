from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from data.errors import AmbiguousFileError, ProviderError, UnknownTickerError
from data.providers.files import FileProvider
from tests.data._fakes import make_raw


def write_csv(folder: Path, ticker: str, frame: pd.DataFrame, *, adj: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    out = frame.reset_index()
    if not adj:
        out = out.drop(columns="adj_close")
    out.to_csv(folder / f"{ticker}.csv", index=False)


def test_reads_csv_with_adj_close(tmp_path: Path) -> None:
    raw = make_raw(periods=5)
    write_csv(tmp_path, "ACME", raw)
    got = FileProvider(tmp_path).fetch("ACME", start=None, end=date(2013, 1, 1))
    pd.testing.assert_frame_equal(got.frame, raw, check_freq=False)
    assert got.basis == "raw + file adj_close"
    assert got.source.endswith("ACME.csv")


def test_reads_csv_without_adj_close_and_odd_headers(tmp_path: Path) -> None:
    tmp_path.joinpath("acme.csv").write_text(
        "Date,Open,High,Low,Close,Volume\n2012-01-03,1,2,0.5,1.5,100\n2012-01-04,1.5,2,1,1.8,200\n"
    )
    got = FileProvider(tmp_path).fetch("ACME", start=None, end=date(2013, 1, 1))
    assert got.frame["close"].tolist() == [1.5, 1.8]
    assert got.frame["adj_close"].isna().all()
    assert FileProvider(tmp_path).tickers() == ["ACME"]


def test_parquet(tmp_path: Path) -> None:
    raw = make_raw(periods=3)
    raw.reset_index().to_parquet(tmp_path / "ACME.parquet")
    got = FileProvider(tmp_path, fmt="parquet").fetch("ACME", start=None, end=date(2013, 1, 1))
    pd.testing.assert_frame_equal(got.frame, raw, check_freq=False)


def test_missing_file_is_unknown_ticker_and_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnknownTickerError, match="Expected a file NOPE.csv"):
        FileProvider(tmp_path).fetch("NOPE", start=None, end=date(2013, 1, 1))
    with pytest.raises(ProviderError, match="does not exist"):
        FileProvider(tmp_path / "absent").fetch("X", start=None, end=date(2013, 1, 1))


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("Open,High,Low,Close,Volume\n1,2,0.5,1.5,100\n", "no 'date' column"),
        ("date,open,high,low,close,volume\nnot-a-date,1,2,0.5,1.5,100\n", "unparseable dates"),
        ("date,open,close\n2012-01-03,1,2\n", "missing columns"),
    ],
)
def test_malformed_files_say_what_is_wrong(tmp_path: Path, body: str, match: str) -> None:
    tmp_path.joinpath("BAD.csv").write_text(body)
    with pytest.raises(ProviderError, match=match):
        FileProvider(tmp_path).fetch("BAD", start=None, end=date(2013, 1, 1))


def test_newest_first_export_is_read_oldest_first(tmp_path: Path) -> None:
    raw = make_raw(periods=5)
    write_csv(tmp_path, "ACME", raw.iloc[::-1])
    got = FileProvider(tmp_path).fetch("ACME", start=None, end=date(2013, 1, 1))
    pd.testing.assert_frame_equal(got.frame, raw, check_freq=False)


def test_disordered_rows_are_read_sorted_by_date_and_say_so(tmp_path: Path) -> None:
    # issue 23, finding 11: a shuffled CSV served 31 of its 291 rows (the rest were quarantined
    # as out of order); a CSV's row order carries no meaning, so it is read sorted by date
    raw = make_raw(periods=5)
    write_csv(tmp_path, "ACME", raw.iloc[[0, 2, 1, 3, 4]])
    got = FileProvider(tmp_path).fetch("ACME", start=None, end=date(2013, 1, 1))
    pd.testing.assert_frame_equal(got.frame, raw, check_freq=False)
    assert got.notes == ("ACME.csv: 2 of 5 rows were not in date order; read sorted by date",)


def test_sorted_and_newest_first_files_have_no_note(tmp_path: Path) -> None:
    raw = make_raw(periods=5)
    write_csv(tmp_path, "ACME", raw)
    write_csv(tmp_path, "EMCA", raw.iloc[::-1])
    for ticker in ("ACME", "EMCA"):
        assert FileProvider(tmp_path).fetch(ticker, start=None, end=date(2013, 1, 1)).notes == ()


def test_duplicated_dates_stay_for_the_quality_check_next_to_each_other(tmp_path: Path) -> None:
    raw = make_raw(periods=5)
    write_csv(tmp_path, "ACME", raw.iloc[[3, 0, 1, 3, 2, 4]])
    got = FileProvider(tmp_path).fetch("ACME", start=None, end=date(2013, 1, 1))
    assert list(got.frame.index) == list(raw.index[[0, 1, 2, 3, 3, 4]])


def test_files_whose_names_differ_only_in_case_are_an_error_naming_both(tmp_path: Path) -> None:
    # issue 23, finding 11: with AAPL.csv and aapl.csv one of them was picked silently
    write_csv(tmp_path, "AAPL", make_raw(periods=3))
    write_csv(tmp_path, "aapl", make_raw(periods=4))
    if len(list(tmp_path.iterdir())) < 2:
        pytest.skip("this file system does not tell names apart by case")
    with pytest.raises(AmbiguousFileError) as err:
        FileProvider(tmp_path).fetch("AAPL", start=None, end=date(2013, 1, 1))
    assert str(err.value) == (
        f"csv:{tmp_path}: more than one file for AAPL: AAPL.csv, aapl.csv;"
        " keep one and remove or rename the others"
    )
    assert FileProvider(tmp_path).tickers() == ["AAPL"]
