"""Price spikes (data/_spikes.py through data.quality and MarketData): planted nonsense is
quarantined and never served, real moves are kept, and no decision uses a later bar."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.quality import QualityReport, check_bars, quarantine
from data.service import MarketData
from tests.data._fakes import FakeProvider

PRICES = ["open", "high", "low", "close", "adj_close"]
END = date(2013, 3, 1)
DAY = pd.Timestamp("2012-06-14")  # a Thursday in AAPL's bundled history


def bundled(ticker: str) -> pd.DataFrame:
    return BundledProvider().fetch(ticker, start=None, end=END).frame


def planted(raw: pd.DataFrame, day: pd.Timestamp, kind: str) -> pd.DataFrame:
    """``raw`` with one bar replaced by nonsense: every price 1e9, or times or over 100."""
    out = raw.copy()
    match kind:
        case "1e9":
            out.loc[day, PRICES] = 1e9
        case "x100":
            out.loc[day, PRICES] *= 100
        case "/100":
            out.loc[day, PRICES] /= 100
    return out


def spike_issues(report: QualityReport) -> list[tuple[str, str, tuple[date, ...]]]:
    return [
        (i.rule, i.severity, i.dates)
        for i in report.issues
        if i.rule in {"price_spike", "wide_bar"}
    ]


@pytest.mark.parametrize("kind", ["1e9", "x100", "/100"])
def test_planted_one_day_spikes_are_quarantined(kind: str) -> None:
    raw = planted(bundled("AAPL"), DAY, kind)
    report = check_bars(raw, ticker="AAPL")
    assert spike_issues(report) == [("price_spike", "error", (DAY.date(),))]
    assert report.quarantined == (DAY.date(),)
    clean, bad = quarantine(raw, report)
    assert list(bad.index) == [DAY] and list(bad["reason"]) == ["price_spike"]
    assert DAY not in clean.index and len(clean) == len(raw) - 1
    # the day after the spike is judged against the last good bar, so it is kept
    assert report.issues[0].message.startswith("close ")
    assert "spike bound 5x either way" in report.issues[0].message


def test_spike_message_names_the_bar_and_its_reference() -> None:
    report = check_bars(planted(bundled("AAPL"), DAY, "x100"), ticker="AAPL")
    (issue,) = report.errors
    close = float(bundled("AAPL").loc[DAY, "close"])
    before = float(bundled("AAPL").loc["2012-06-13", "close"])
    assert issue.message == (
        f"close {round(close * 100, 6)!r} on 2012-06-14 is {close * 100 / before:.3g}x the close"
        f" {round(before, 6)!r} of 2012-06-13 (adjusted for splits and dividends), beyond the"
        " spike bound 5x either way"
    )


def test_a_one_bar_spike_in_the_high_alone_is_a_wide_bar() -> None:
    raw = bundled("AAPL")
    raw.loc[DAY, "high"] = 1e9
    report = check_bars(raw, ticker="AAPL")
    assert spike_issues(report) == [("wide_bar", "error", (DAY.date(),))]
    assert "high 1000000000.0 is" in report.errors[0].message
    assert report.quarantined == (DAY.date(),)


@pytest.mark.parametrize("ticker", BundledProvider().tickers())
def test_no_real_bar_is_quarantined_by_the_spike_rules(ticker: str) -> None:
    raw = bundled(ticker)
    with_spikes = check_bars(raw, ticker=ticker)
    without = check_bars(raw, ticker=ticker, spike_ratio=float("inf"))
    assert with_spikes == without
    assert with_spikes.quarantined == ()


def test_aapl_real_crash_is_kept_and_still_warned() -> None:
    report = check_bars(bundled("AAPL"), ticker="AAPL")
    crash = date(2000, 9, 29)
    assert crash not in report.quarantined
    assert [(i.rule, i.dates) for i in report.issues] == [("outlier_return", (crash,))]


def test_a_lasting_level_change_loses_its_first_bar_only() -> None:
    # a real -90% collapse (or a switch to prices in dollars from cents) that lasts: the first
    # bar at the new level cannot be told from a spike on its day, the next one confirms it
    raw = bundled("AAPL")
    raw.loc[DAY:, PRICES] /= 10
    report = check_bars(raw, ticker="AAPL")
    assert report.quarantined == (DAY.date(),)
    after = pd.Timestamp("2012-06-15").date()
    assert ("outlier_return", "warning", (after,)) in [
        (i.rule, i.severity, i.dates) for i in report.issues
    ]
    clean, _ = quarantine(raw, report)
    assert len(clean) == len(raw) - 1


def test_nonsense_that_lasts_is_taken_as_a_new_level_after_its_first_bar() -> None:
    # the limit of judging a bar only on earlier bars: two bars of nonsense that agree with each
    # other look like a lasting move on the second; the first is quarantined (an error), and the
    # way in and the way out stay flagged as outlier returns
    raw = bundled("AAPL")
    nxt, back = pd.Timestamp("2012-06-15"), pd.Timestamp("2012-06-18")
    raw.loc[[DAY, nxt], PRICES] = 1e9
    report = check_bars(raw, ticker="AAPL")
    assert report.quarantined == (DAY.date(), back.date())
    outliers = [i.dates for i in report.issues if i.rule == "outlier_return"]
    assert (nxt.date(),) in outliers and (pd.Timestamp("2012-06-19").date(),) in outliers


# --- point in time ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["1e9", "x100", "/100"])
def test_spike_decisions_never_use_a_later_bar(kind: str) -> None:
    raw = planted(bundled("AAPL"), DAY, kind)
    full = check_bars(raw, ticker="AAPL").quarantined
    for cut in raw.index[raw.index.get_indexer([DAY]).item() - 2 :][:5]:
        early = check_bars(raw.loc[:cut], ticker="AAPL").quarantined
        assert early == tuple(d for d in full if d <= cut.date()), cut
    # the spike on the last bar of a window is quarantined already on its own day
    assert check_bars(raw.loc[:DAY], ticker="AAPL").quarantined == (DAY.date(),)


def _market(frame: pd.DataFrame) -> MarketData:
    return MarketData([FakeProvider("files", {"AAPL": frame})], calendar="XNYS")


@pytest.mark.parametrize("kind", ["1e9", "x100", "/100"])
def test_bars_served_as_of_a_day_do_not_depend_on_later_source_data(kind: str) -> None:
    raw = planted(bundled("AAPL"), DAY, kind)
    start = date(2012, 1, 3)
    for as_of in (DAY, pd.Timestamp("2012-06-15"), pd.Timestamp("2012-06-18")):
        full = _market(raw).bars("AAPL", start=start, end=as_of.date())
        cut = _market(raw.loc[:as_of]).bars("AAPL", start=start, end=as_of.date())
        pd.testing.assert_frame_equal(full.frame, cut.frame)
        assert DAY not in full.frame.index


def _vol_and_sma50(frame: pd.DataFrame) -> tuple[float, float]:
    close = frame["close"]
    vol = float(np.log(close).diff().std() * np.sqrt(252))
    return vol, float(close.rolling(50).mean().iloc[-1])


@pytest.mark.parametrize("kind", ["1e9", "x100", "/100"])
def test_volatility_and_sma_never_see_the_spike(kind: str) -> None:
    raw = bundled("AAPL")
    start, end = date(2012, 1, 3), date(2012, 8, 31)
    spiked = _market(planted(raw, DAY, kind)).bars("AAPL", start=start, end=end)
    without_the_day = _market(raw.drop(index=DAY)).bars("AAPL", start=start, end=end)
    pd.testing.assert_frame_equal(spiked.frame, without_the_day.frame)
    vol, sma = _vol_and_sma50(spiked.frame)
    assert (vol, sma) == _vol_and_sma50(without_the_day.frame)
    assert 0.2 < vol < 0.4 and 550 < sma < 650  # AAPL in mid-2012, not 1e9 nonsense
    assert spiked.provenance.quarantined == 1
    assert any("spike bound" in note for note in spiked.provenance.notes)


def test_spike_ratio_must_exceed_one() -> None:
    with pytest.raises(ValueError, match="spike_ratio"):
        check_bars(bundled("FB"), ticker="FB", spike_ratio=1.0)
