"""core/asof.py: the as-of default, parsing, and the one cut of data at an as-of date."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from core.asof import AsOfError, on_or_before, parse_as_of, today, up_to

AS_OF = date(2013, 2, 28)


def _closes(index: pd.DatetimeIndex) -> pd.Series:
    rng = np.random.default_rng(7)
    return pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(index)))), index=index)


def test_today_is_the_local_calendar_date() -> None:
    assert today() == date.today()


def test_parse_as_of_reads_iso_dates_and_defaults_to_today() -> None:
    assert parse_as_of("2013-02-28") == AS_OF
    assert parse_as_of(AS_OF) is AS_OF
    assert parse_as_of(datetime(2013, 2, 28, 16, 30)) == AS_OF
    assert parse_as_of(None) == date.today()


@pytest.mark.parametrize("text", ["28/02/2013", "yesterday", ""])
def test_parse_as_of_names_the_option_in_its_error(text: str) -> None:
    with pytest.raises(AsOfError, match=rf"^--as-of '{text}' is not a date: use YYYY-MM-DD$"):
        parse_as_of(text, name="--as-of")


def test_up_to_keeps_rows_dated_on_or_before_as_of() -> None:
    closes = _closes(pd.bdate_range("2013-02-20", "2013-03-08"))
    cut = up_to(closes, as_of=AS_OF)
    assert cut.index[-1] == pd.Timestamp("2013-02-28")
    assert len(cut) == 7  # Feb 20-22, 25-28
    pd.testing.assert_series_equal(cut, closes.loc[:"2013-02-28"])


def test_up_to_on_a_weekend_keeps_the_friday_before() -> None:
    closes = _closes(pd.bdate_range("2013-02-20", "2013-03-08"))
    assert up_to(closes, as_of=date(2013, 3, 3)).index[-1] == pd.Timestamp("2013-03-01")


def test_up_to_ignores_the_time_of_day() -> None:
    index = pd.date_range("2013-02-25 16:00", periods=6, freq="D")
    cut = up_to(_closes(index), as_of=AS_OF)
    assert list(cut.index.day) == [25, 26, 27, 28]


def test_up_to_reads_a_tz_aware_index_in_its_own_zone() -> None:
    index = pd.date_range("2013-02-25 16:00", periods=6, freq="D", tz="America/New_York")
    frame = pd.DataFrame({"close": _closes(index)})
    cut = up_to(frame, as_of=AS_OF)
    assert list(cut.index.day) == [25, 26, 27, 28]
    assert str(cut.index.tz) == "America/New_York"
    late = pd.DatetimeIndex(["2013-02-28 23:30", "2013-03-01 00:30"], tz="UTC")
    assert up_to(pd.Series([1.0, 2.0], index=late), as_of=AS_OF).tolist() == [1.0]


def test_up_to_handles_empty_frames_and_cuts_before_the_data() -> None:
    empty = pd.DataFrame({"close": []}, index=pd.DatetimeIndex([]))
    assert up_to(empty, as_of=AS_OF).empty
    assert up_to(pd.DataFrame(), as_of=AS_OF).empty  # no index at all
    closes = _closes(pd.bdate_range("2013-03-01", periods=5))
    assert up_to(closes, as_of=AS_OF).empty


def test_up_to_cuts_an_unsorted_index_and_a_date_ticker_multiindex() -> None:
    closes = _closes(pd.bdate_range("2013-02-20", "2013-03-08"))
    shuffled = closes.sample(frac=1.0, random_state=3)
    cut = up_to(shuffled, as_of=AS_OF)
    pd.testing.assert_series_equal(cut.sort_index(), up_to(closes, as_of=AS_OF), check_freq=False)
    multi = pd.MultiIndex.from_product([closes.index, ["IBM", "MSFT"]], names=["date", "ticker"])
    panel = pd.Series(np.arange(len(multi), dtype=float), index=multi)
    assert up_to(panel, as_of=AS_OF).index.get_level_values(0).max() == pd.Timestamp(AS_OF)
    assert on_or_before(multi, AS_OF).sum() == 14


def test_up_to_rejects_an_index_without_dates() -> None:
    with pytest.raises(TypeError, match="DatetimeIndex"):
        up_to(pd.Series([1.0, 2.0]), as_of=AS_OF)


@pytest.mark.parametrize("tz", [None, "America/New_York"])
def test_cutting_then_computing_equals_computing_then_cutting(tz: str | None) -> None:
    """The look-ahead rule: a trailing computation on the cut data gives, up to the as-of date,
    the values it gives on the full series (so nothing after ``as_of`` leaks in)."""
    closes = _closes(pd.bdate_range("2012-01-02", "2013-12-31", tz=tz))

    def features(s: pd.Series) -> pd.DataFrame:
        return pd.DataFrame(
            {"sma": s.rolling(20).mean(), "peak": s.cummax(), "ret": s.pct_change(5)}
        )

    for as_of in (date(2012, 6, 29), AS_OF, date(2013, 12, 31)):
        cut_first = features(up_to(closes, as_of=as_of))
        computed_first = up_to(features(closes), as_of=as_of)
        pd.testing.assert_frame_equal(cut_first, computed_first)
        assert cut_first.index[-1].date() <= as_of
