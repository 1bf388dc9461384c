"""Tests for data.quality: each rule on a planted fault, clean data, quarantine, bundled."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data import _calendar
from data.bars import empty_raw_frame, to_raw_frame
from data.providers.bundled import BundledProvider
from data.quality import QualityIssue, QualityReport, check_bars, quarantine

# March 2012: 22 XNYS sessions, all weekdays, no holidays.
MARCH = pd.bdate_range("2012-03-01", "2012-03-30")
D = date(2012, 3, 6)  # the Tuesday where faults are planted


def make_bars(days: pd.DatetimeIndex = MARCH) -> pd.DataFrame:
    """Clean raw bars: close 100 rising 0.1% a day, high/low 1 either side, adj_close = close."""
    close = 100.0 * 1.001 ** np.arange(len(days))
    frame = pd.DataFrame(
        {
            "open": close,
            "high": close + 1,
            "low": close - 1,
            "close": close,
            "volume": 1e6,
            "adj_close": close,
        },
        index=days,
    )
    return to_raw_frame(frame)


def ts(day: date | str) -> pd.Timestamp:
    return pd.Timestamp(day)


def issues(report: QualityReport, rule: str) -> list[QualityIssue]:
    return [i for i in report.issues if i.rule == rule]


def only_issue(report: QualityReport) -> QualityIssue:
    assert len(report.issues) == 1, [i.message for i in report.issues]
    return report.issues[0]


# --- clean data -----------------------------------------------------------------------------


def test_clean_bars_have_no_issues() -> None:
    report = check_bars(make_bars(), ticker="TEST")
    assert report.issues == ()
    assert report.quarantined == ()
    assert report.ok
    assert (report.rows, report.start, report.end) == (22, date(2012, 3, 1), date(2012, 3, 30))
    assert report.summary() == "TEST: 22 rows 2012-03-01..2012-03-30, 0 errors, 0 warnings"


def test_empty_frame_gives_empty_report() -> None:
    raw = empty_raw_frame()
    report = check_bars(raw, ticker="TEST")
    assert (report.rows, report.start, report.end, report.issues) == (0, None, None, ())
    assert report.summary() == "TEST: 0 rows, 0 errors, 0 warnings"
    clean, bad = quarantine(raw, report)
    assert (len(clean), len(bad)) == (0, 0)


# --- schema errors ----------------------------------------------------------------------------


def test_high_below_low_is_an_error() -> None:
    raw = make_bars()
    raw.loc[ts(D), ["open", "high", "low", "close"]] = [100.0, 99.0, 101.0, 100.0]
    report = check_bars(raw, ticker="TEST")
    assert {i.rule for i in report.issues} == {
        "high_ge_low",
        "high_ge_open_close",
        "low_le_open_close",
    }
    assert all(i.severity == "error" and i.dates == (D,) for i in report.issues)
    assert issues(report, "high_ge_low")[0].message == "high 99.0 < low 101.0 on 2012-03-06"
    assert (
        issues(report, "high_ge_open_close")[0].message
        == "high 99.0 < max(open, close) 100.0 on 2012-03-06"
    )
    assert report.quarantined == (D,)
    assert not report.ok


def test_duplicated_date_quarantines_every_copy() -> None:
    raw = make_bars()
    pos = raw.index.get_loc(ts(D))
    raw = pd.concat([raw.iloc[: pos + 1], raw.iloc[pos : pos + 1] * 1.01, raw.iloc[pos + 1 :]])
    report = check_bars(raw, ticker="TEST")
    issue = only_issue(report)
    assert (issue.rule, issue.severity, issue.dates) == ("unique_dates", "error", (D,))
    assert issue.message == "2012-03-06 appears 2 times"
    clean, bad = quarantine(raw, report)
    assert list(bad.index) == [ts(D), ts(D)]
    assert list(bad["reason"]) == ["unique_dates", "unique_dates"]
    assert ts(D) not in clean.index and len(clean) == 21


def test_nan_close_is_an_error() -> None:
    raw = make_bars()
    raw.loc[ts(D), "close"] = np.nan
    issue = only_issue(check_bars(raw, ticker="TEST"))
    assert (issue.rule, issue.severity, issue.dates) == ("not_null", "error", (D,))
    assert issue.message == "close is NaN on 2012-03-06"


def test_negative_and_missing_volume_are_errors() -> None:
    raw = make_bars()
    raw.loc[ts(D), "volume"] = -100.0
    raw.loc[ts("2012-03-07"), "volume"] = np.nan
    report = check_bars(raw, ticker="TEST")
    assert [(i.rule, i.severity, i.message) for i in report.issues] == [
        ("non_negative", "error", "volume -100.0 < 0 on 2012-03-06"),
        ("not_null", "error", "volume is NaN on 2012-03-07"),
    ]
    assert report.quarantined == (D, date(2012, 3, 7))


def test_non_positive_and_infinite_prices_are_errors() -> None:
    raw = make_bars()
    raw.loc[ts(D), "open"] = 0.0
    raw.loc[ts("2012-03-07"), "high"] = np.inf
    raw.loc[ts("2012-03-08"), "adj_close"] = -1.0
    report = check_bars(raw, ticker="TEST")
    assert [(i.rule, i.message) for i in report.errors] == [
        ("positive", "open 0.0 <= 0 on 2012-03-06"),
        ("finite", "high inf is not finite on 2012-03-07"),
        ("positive", "adj_close -1.0 <= 0 on 2012-03-08"),
    ]


def test_missing_adj_close_is_allowed() -> None:
    raw = make_bars()
    raw["adj_close"] = np.nan
    assert check_bars(raw, ticker="TEST").issues == ()


def test_swapped_rows_flag_the_fewest_out_of_order() -> None:
    raw = make_bars()
    order = [*range(6), 11, *range(6, 11), *range(12, 22)]  # 2012-03-16 moved up
    report = check_bars(raw.iloc[order], ticker="TEST")
    issue = only_issue(report)
    assert (issue.rule, issue.severity, issue.dates) == (
        "increasing_dates",
        "error",
        (date(2012, 3, 16),),
    )
    assert issue.message == "2012-03-16 out of order at row 7 (next to 2012-03-08 and 2012-03-09)"


# --- warnings ---------------------------------------------------------------------------------


def test_sixty_percent_jump_is_a_warning_not_an_error() -> None:
    raw = make_bars()
    raw.loc[ts(D) :, ["open", "high", "low", "close", "adj_close"]] *= 1.6
    issue = only_issue(check_bars(raw, ticker="TEST"))
    assert (issue.rule, issue.severity, issue.dates) == ("outlier_return", "warning", (D,))
    # 1.6 times the 0.1% daily drift
    assert issue.message == "adjusted close +60.2% on 2012-03-06 from 2012-03-05 (limit 40%)"
    assert check_bars(raw, ticker="TEST", max_abs_return=0.7).issues == ()


def test_split_with_adjusted_close_is_not_an_outlier() -> None:
    raw = make_bars()
    after = raw.index >= ts(D)
    raw.loc[after, ["open", "high", "low", "close"]] /= 2  # 2:1 split: raw prices halve
    raw.loc[after, "volume"] *= 2
    raw["adj_close"] = raw["close"].where(after, raw["close"] / 2)  # source back-adjusts
    assert check_bars(raw, ticker="TEST").issues == ()
    raw["adj_close"] = np.nan  # without an adjusted close the split does look like a crash
    issue = only_issue(check_bars(raw, ticker="TEST"))
    assert (issue.rule, issue.dates) == ("outlier_return", (D,))


def test_missing_sessions_are_grouped_into_runs() -> None:
    days = MARCH.drop(pd.bdate_range("2012-03-12", "2012-03-16")).drop(ts("2012-03-21"))
    report = check_bars(make_bars(days), ticker="TEST")
    assert [(i.rule, i.severity, i.message) for i in report.issues] == [
        ("calendar_gap", "warning", "5 sessions missing 2012-03-12..2012-03-16"),
        ("calendar_gap", "warning", "1 session missing 2012-03-21"),
    ]
    assert report.issues[0].dates == tuple(
        d.date() for d in pd.bdate_range("2012-03-12", "2012-03-16")
    )
    assert report.ok and report.quarantined == ()


def test_calendar_checks_only_between_first_and_last_bar() -> None:
    days = pd.bdate_range("2012-03-12", "2012-03-16")
    assert check_bars(make_bars(days), ticker="TEST").issues == ()


def test_known_holiday_is_not_a_gap_but_a_bar_on_it_is_flagged() -> None:
    days = pd.bdate_range("2012-04-02", "2012-04-13")  # Good Friday 2012-04-06
    assert check_bars(make_bars(days.drop(ts("2012-04-06"))), ticker="TEST").issues == ()
    issue = only_issue(check_bars(make_bars(days), ticker="TEST"))
    assert issue.message == "bar on 2012-04-06 (Friday): no XNYS session that day"


def test_weekend_bar_is_a_warning() -> None:
    days = MARCH.union(pd.DatetimeIndex(["2012-03-10"]))
    raw = make_bars(days)
    issue = only_issue(check_bars(raw, ticker="TEST"))
    assert (issue.rule, issue.severity, issue.dates) == (
        "non_session",
        "warning",
        (date(2012, 3, 10),),
    )
    assert issue.message == "bar on 2012-03-10 (Saturday): no XNYS session that day"
    assert check_bars(raw, ticker="TEST", calendar=None).issues == ()


def test_zero_volume_runs() -> None:
    raw = make_bars()
    raw.loc[ts(D) : ts("2012-03-09"), "volume"] = 0.0  # 4 bars
    raw.loc[ts("2012-03-20") : ts("2012-03-21"), "volume"] = 0.0  # 2 bars: below the default 3
    report = check_bars(raw, ticker="TEST")
    issue = only_issue(report)
    assert (issue.rule, issue.severity) == ("zero_volume_run", "warning")
    assert issue.message == "zero volume on 4 bars 2012-03-06..2012-03-09"
    assert issue.dates == (D, date(2012, 3, 7), date(2012, 3, 8), date(2012, 3, 9))
    assert len(issues(check_bars(raw, ticker="TEST", zero_volume_run=2), "zero_volume_run")) == 2
    assert len(issues(check_bars(raw, ticker="TEST", zero_volume_run=5), "zero_volume_run")) == 0


# --- quarantine and report ------------------------------------------------------------------------


def planted() -> pd.DataFrame:
    """Bars with errors on 03-06 (high<low), 03-08 (duplicate), 03-13 (NaN close) and 03-20
    (out of order), and warnings only on 03-10 (weekend bar) and 03-15 (+60% jump)."""
    raw = make_bars(MARCH.union(pd.DatetimeIndex(["2012-03-10"])))
    raw.loc[ts("2012-03-15") :, ["open", "high", "low", "close", "adj_close"]] *= 1.6
    raw.loc[ts(D), ["high", "low"]] = [99.0, 101.0]
    raw.loc[ts("2012-03-13"), "close"] = np.nan
    pos = raw.index.get_loc(ts("2012-03-08"))
    raw = pd.concat([raw.iloc[: pos + 1], raw.iloc[[pos]], raw.iloc[pos + 1 :]])
    late = raw.index.get_loc(ts("2012-03-20"))
    order = [i for i in range(len(raw)) if i != late]
    order.insert(3, late)
    return raw.iloc[order]


def test_quarantine_returns_exactly_the_bad_rows() -> None:
    raw = planted()
    report = check_bars(raw, ticker="TEST")
    bad_days = [date(2012, 3, d) for d in (6, 8, 13, 20)]
    assert report.quarantined == tuple(bad_days)
    assert {i.rule for i in report.warnings} == {"non_session", "outlier_return"}
    clean, bad = quarantine(raw, report)
    assert list(bad.index) == [
        ts("2012-03-20"),
        ts(D),
        ts("2012-03-08"),
        ts("2012-03-08"),
        ts("2012-03-13"),
    ]
    assert list(bad["reason"]) == [
        "increasing_dates",
        "high_ge_open_close, low_le_open_close, high_ge_low",
        "unique_dates",
        "unique_dates",
        "not_null",
    ]
    expected = MARCH.union(pd.DatetimeIndex(["2012-03-10"])).drop([ts(d) for d in bad_days])
    assert clean.index.equals(expected.rename("date"))
    pd.testing.assert_frame_equal(clean, raw.loc[expected].rename_axis("date"))
    assert len(clean) + len(bad) == len(raw)


def test_quarantine_rejects_a_report_for_another_frame() -> None:
    raw = planted()
    report = check_bars(raw.iloc[:-1], ticker="TEST")
    with pytest.raises(ValueError, match="report is for"):
        quarantine(raw, report)


def test_report_to_dict_is_json_ready() -> None:
    report = check_bars(planted(), ticker="TEST")
    data = json.loads(json.dumps(report.to_dict()))
    assert (data["ticker"], data["rows"], data["ok"], data["errors"], data["warnings"]) == (
        "TEST",
        24,
        False,
        len(report.errors),
        2,
    )
    assert data["start"] == "2012-03-01" and data["quarantined"][0] == "2012-03-06"
    assert data["issues"][0]["dates"] == ["2012-03-06"]


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="unknown exchange calendar"):
        check_bars(make_bars(), ticker="TEST", calendar="NOPE")
    with pytest.raises(ValueError, match="max_abs_return"):
        check_bars(make_bars(), ticker="TEST", max_abs_return=0.0)
    with pytest.raises(ValueError, match="missing columns"):
        check_bars(make_bars().drop(columns="volume"), ticker="TEST")


# --- bundled data -------------------------------------------------------------------------------


def bundled(ticker: str) -> pd.DataFrame:
    return BundledProvider().fetch(ticker, start=None, end=date(2013, 3, 1)).frame


@pytest.mark.parametrize("ticker", BundledProvider().tickers())
def test_bundled_tickers_have_no_errors(ticker: str) -> None:
    raw = bundled(ticker)
    report = check_bars(raw, ticker=ticker)
    assert report.errors == ()
    assert report.rows == len(raw) and report.quarantined == ()
    assert not issues(report, "calendar_gap") and not issues(report, "non_session")


def test_aapl_real_crash_is_the_only_warning() -> None:
    # Raw AAPL closes also fall 45% on 2000-06-21 and 50% on 2005-02-28: 2:1 splits, not outliers.
    report = check_bars(bundled("AAPL"), ticker="AAPL")
    issue = only_issue(report)
    assert (issue.rule, issue.severity, issue.dates) == (
        "outlier_return",
        "warning",
        (date(2000, 9, 29),),
    )
    assert issue.message == "adjusted close -51.9% on 2000-09-29 from 2000-09-28 (limit 40%)"
    assert report.summary() == "AAPL: 3270 rows 2000-03-01..2013-03-01, 0 errors, 1 warning"


def test_issues_do_not_depend_on_later_data() -> None:
    raw = bundled("AAPL")
    cut = ts("2001-06-29")
    early = check_bars(raw.loc[:cut], ticker="AAPL").issues
    full = [i for i in check_bars(raw, ticker="AAPL").issues if max(i.dates) <= cut.date()]
    assert list(early) == full


def test_a_second_check_reuses_the_cached_calendar() -> None:
    raw = bundled("AAPL")
    check_bars(raw, ticker="AAPL")
    before = _calendar._calendar.cache_info()
    check_bars(raw, ticker="AAPL")
    after = _calendar._calendar.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


@pytest.mark.parametrize(
    ("days", "message"),
    [
        # issue 23, finding 11: a bar on New Year's Day crashed the check with DateOutOfBounds
        (["2024-01-01", "2024-01-02", "2024-01-03"], "bar on 2024-01-01 (Monday)"),
        (["2023-12-28", "2023-12-29", "2023-12-31"], "bar on 2023-12-31 (Sunday)"),
        (["2022-12-30", "2023-01-02", "2023-01-03"], "bar on 2023-01-02 (Monday)"),
        (["2024-01-01"], "bar on 2024-01-01 (Monday)"),
    ],
)
def test_bars_on_year_boundary_holidays_are_warnings(days: list[str], message: str) -> None:
    report = check_bars(make_bars(pd.DatetimeIndex(days)), ticker="TEST")
    issue = only_issue(report)
    assert (issue.rule, issue.severity) == ("non_session", "warning")
    assert issue.message == f"{message}: no XNYS session that day"


def test_the_fast_schema_path_agrees_with_the_schema() -> None:
    """Bars the numpy pre-check passes are bars the pandera schema passes; a bar breaking any
    schema rule falls through to the schema, which reports it as before."""
    from data.quality import RAW_BARS_SCHEMA, _passes_schema

    raw = BundledProvider().fetch("IBM", start=None, end=date(2013, 2, 28)).frame
    clean = raw.reset_index()
    assert _passes_schema(clean)
    RAW_BARS_SCHEMA.validate(clean, lazy=True)  # raises if the schema disagrees
    faults = {
        "high_ge_low": ("low", lambda f: f["high"] * 2),
        "positive": ("close", lambda f: -f["close"]),
        "finite": ("open", lambda f: f["open"] * np.inf),
        "not_null": ("volume", lambda f: f["volume"] * np.nan),
        "non_negative": ("volume", lambda f: -1.0 - f["volume"]),
    }
    for rule, (column, broken) in faults.items():
        bad = clean.copy()
        bad.loc[100, column] = broken(bad.loc[[100]]).iloc[0]
        assert not _passes_schema(bad), rule
        report = check_bars(bad.set_index("date"), ticker="IBM", calendar=None)
        assert report.quarantined, rule
    unsorted = clean.iloc[[1, 0, *range(2, len(clean))]]
    assert not _passes_schema(unsorted)
