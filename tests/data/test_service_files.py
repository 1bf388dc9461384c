"""MarketData over CSV folders with the pathologies of issue 23, finding 11."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.errors import AmbiguousFileError
from data.providers.files import FileProvider
from data.service import MarketData
from tests.data._fakes import make_raw

END = date(2013, 12, 31)


def _shuffled(folder: Path, *, duplicate: bool = False) -> pd.DataFrame:
    raw = make_raw("2012-01-03", periods=291, adj=False)
    rows = raw.reset_index()
    if duplicate:
        rows = pd.concat([rows, rows.iloc[[10]]], ignore_index=True)
    rows.sample(frac=1.0, random_state=np.random.default_rng(7)).to_csv(
        folder / "ACME.csv", index=False
    )
    return raw


def test_a_shuffled_csv_serves_every_row_and_says_it_was_sorted(tmp_path: Path) -> None:
    raw = _shuffled(tmp_path)
    fetched = MarketData([FileProvider(tmp_path)], calendar=None).fetch("ACME", end=END)
    assert len(fetched.clean) == 291 and fetched.quarantined.empty
    pd.testing.assert_frame_equal(fetched.clean, raw, check_freq=False)
    assert [(i.rule, i.severity) for i in fetched.report.issues] == [("source_note", "warning")]
    assert fetched.report.issues[0].message.startswith("ACME.csv: ")
    assert fetched.report.issues[0].message.endswith("read sorted by date")


def test_a_duplicated_date_quarantines_its_copies_and_serves_the_rest(tmp_path: Path) -> None:
    raw = _shuffled(tmp_path, duplicate=True)
    fetched = MarketData([FileProvider(tmp_path)], calendar=None).fetch("ACME", end=END)
    day = raw.index[10]
    assert len(fetched.clean) == 290 and day not in fetched.clean.index
    assert list(fetched.quarantined.index) == [day, day]
    assert [i.message for i in fetched.report.errors] == [f"{day:%Y-%m-%d} appears 2 times"]


def test_case_colliding_files_stop_the_chain_with_both_names(tmp_path: Path) -> None:
    make_raw(periods=3).reset_index().to_csv(tmp_path / "AAPL.csv", index=False)
    make_raw(periods=3).reset_index().to_csv(tmp_path / "aapl.csv", index=False)
    if len(list(tmp_path.iterdir())) < 2:
        pytest.skip("this file system does not tell names apart by case")
    with pytest.raises(AmbiguousFileError, match=r"AAPL\.csv, aapl\.csv"):
        MarketData([FileProvider(tmp_path)], calendar=None).fetch("AAPL", end=END)


def test_a_bar_on_new_years_day_is_served_with_a_warning(tmp_path: Path) -> None:
    raw = make_raw("2024-01-01", periods=5)  # Monday 2024-01-01 is a holiday
    raw.reset_index().to_csv(tmp_path / "ACME.csv", index=False)
    fetched = MarketData([FileProvider(tmp_path)]).fetch("ACME", end=date(2024, 12, 31))
    assert len(fetched.clean) == 5
    assert [i.message for i in fetched.report.issues] == [
        "bar on 2024-01-01 (Monday): no XNYS session that day"
    ]
