from __future__ import annotations

from pathlib import Path

import pytest

from briefing import Watchlist, WatchlistError, load_watchlist, parse_watchlist


def test_inline_list_is_equal_weight_and_keyed_by_sorted_tickers() -> None:
    wl = parse_watchlist(" aapl, MSFT ,ibm,GOOG ")
    assert wl.tickers == ("AAPL", "MSFT", "IBM", "GOOG")
    assert wl.weights == (0.25, 0.25, 0.25, 0.25) and wl.equal_weight
    assert wl.key == "AAPL,GOOG,IBM,MSFT" == parse_watchlist("GOOG,IBM,MSFT,AAPL").key


def test_weights_are_relative_and_change_the_key() -> None:
    wl = parse_watchlist("AAPL:40,MSFT:30,IBM:20,GOOG:10")
    assert wl.weight_of() == pytest.approx({"AAPL": 0.4, "MSFT": 0.3, "IBM": 0.2, "GOOG": 0.1})
    same = parse_watchlist("GOOG:0.1,IBM:0.2,MSFT:0.3,AAPL:0.4")
    assert wl.key == same.key and wl.key.startswith("AAPL,GOOG,IBM,MSFT@")
    assert wl.key != parse_watchlist("AAPL,MSFT,IBM,GOOG").key


def test_huge_weights_are_normalised_without_overflow() -> None:
    assert parse_watchlist("AAPL:1e308,MSFT:1e308").weights == (0.5, 0.5)
    wl = parse_watchlist("AAPL:1e308,MSFT:3e307")
    assert wl.weight_of() == pytest.approx({"AAPL": 1 / 1.3, "MSFT": 0.3 / 1.3})


def test_file_with_comments_weights_and_percent(tmp_path: Path) -> None:
    path = tmp_path / "core.txt"
    path.write_text("# my core book\nAAPL 50%\n\nmsft,30  # software\n^GSPC: 20\n")
    wl = load_watchlist(path)
    assert wl.tickers == ("AAPL", "MSFT", "^GSPC")
    assert wl.weights == pytest.approx((0.5, 0.3, 0.2))


@pytest.mark.parametrize(
    ("spec", "needle"),
    [
        ("", "empty"),
        ("AAPL,aapl", "listed twice"),
        ("AAPL:1,MSFT", "every ticker or for none"),
        ("AAPL:-1,MSFT:2", "positive"),
        ("AAPL:x", "not a number"),
        ("AAPL:nan,MSFT:1", "positive"),
        ("AA PL X", "is not 'TICKER"),
        ("BAD$TICKER", "ticker"),
    ],
)
def test_bad_watchlists_say_what_to_fix(spec: str, needle: str) -> None:
    with pytest.raises(WatchlistError, match=needle):
        parse_watchlist(spec)


def test_unreadable_file_is_a_watchlist_error(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="cannot read"):
        load_watchlist(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="sum to 1"):
        Watchlist(tickers=("AAPL",), weights=(0.5,))
