from __future__ import annotations

from datetime import date

import pytest

from data.errors import UnknownTickerError
from data.providers.bundled import BundledProvider
from data.service import MarketData


def test_lists_the_bundled_tickers() -> None:
    assert BundledProvider().tickers() == ["AAPL", "FB", "GOOG", "IBM", "MSFT", "^GSPC"]


def test_unknown_ticker_names_what_is_bundled() -> None:
    with pytest.raises(UnknownTickerError, match="Bundled data covers AAPL"):
        BundledProvider().fetch("TSLA", start=None, end=date(2013, 1, 1))


def test_aapl_2012_has_250_sessions_and_ends_at_the_traded_close() -> None:
    md = MarketData([BundledProvider()])
    bars = md.bars("AAPL", start=date(2012, 1, 3), end=date(2012, 12, 31))
    assert len(bars) == 250
    assert bars.frame.index[0].date() == date(2012, 1, 3)
    assert bars.frame.index[-1].date() == date(2012, 12, 31)
    # AAPL closed at 532.17 on 2012-12-31 (unadjusted): the point-in-time series ends there
    assert bars.frame["close"].iloc[-1] == pytest.approx(532.17, abs=0.005)
    assert bars.provenance.provider == "bundled"
    assert "as of 2012-12-31" in bars.provenance.adjustment


def test_split_is_adjusted_away_in_aapl_2005() -> None:
    md = MarketData([BundledProvider()])
    close = md.bars("AAPL", start=date(2005, 2, 1), end=date(2005, 3, 31)).frame["close"]
    # raw close halves on 2005-02-28 (2:1 split); adjusted, the move is a normal day
    assert abs(close.pct_change().loc["2005-02-28"]) < 0.05


def test_sp500_index_is_available() -> None:
    bars = MarketData([BundledProvider()]).bars(
        "^GSPC", start=date(2012, 1, 3), end=date(2012, 12, 31)
    )
    assert len(bars) == 250
    assert bars.frame["close"].iloc[-1] == pytest.approx(1426.19, abs=0.01)
