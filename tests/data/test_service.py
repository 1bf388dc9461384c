from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from data.cache import DiskCache
from data.errors import (
    DataUnavailableError,
    EmptyRangeError,
    InvalidRangeError,
    ProviderError,
    UnknownTickerError,
)
from data.providers.base import RawBars
from data.service import ChainPolicy, MarketData
from tests.data._fakes import FakeProvider, make_raw

END = date(2012, 12, 31)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def market(*providers: FakeProvider, **kwargs: object) -> MarketData:
    sleeps: list[float] = []
    kwargs.setdefault("sleep", sleeps.append)
    kwargs.setdefault("now", lambda: datetime(2024, 1, 1, tzinfo=UTC))
    return MarketData(list(providers), calendar=None, **kwargs)  # type: ignore[arg-type]


def always_down(_: int) -> None:
    raise ProviderError("down", "connection refused", transient=True)


def test_bars_never_include_a_row_after_end() -> None:
    raw = make_raw("2012-01-02", periods=40)
    cut = raw.index[19].date()
    bars = market(FakeProvider("a", {"AAPL": raw})).bars("aapl", end=cut)
    assert bars.frame.index.max() == pd.Timestamp(cut)
    assert len(bars) == 20
    assert bars.provenance.end == cut and bars.provenance.rows == 20
    # the last bar is priced as traded on `end`
    assert bars.frame["close"].iloc[-1] == raw["close"].iloc[19]


def test_start_is_inclusive() -> None:
    raw = make_raw("2012-01-02", periods=10)
    bars = market(FakeProvider("a", {"X": raw})).bars("X", start=raw.index[3].date(), end=END)
    assert bars.frame.index.min() == raw.index[3] and len(bars) == 7


def test_falls_back_to_the_next_provider_when_one_is_down() -> None:
    down = FakeProvider("down", {"AAPL": make_raw()}, online=True, script=always_down)
    backup = FakeProvider("backup", {"AAPL": make_raw()})
    sleeps: list[float] = []
    bars = market(down, backup, sleep=sleeps.append).bars("AAPL", end=END)
    assert bars.provenance.provider == "backup"
    assert down.calls == 4 and sleeps == [1.0, 2.0, 4.0]


def test_unknown_in_first_provider_falls_through_without_retries() -> None:
    first = FakeProvider("first", {"MSFT": make_raw()})
    second = FakeProvider("second", {"AAPL": make_raw()})
    assert market(first, second).bars("AAPL", end=END).provenance.provider == "second"
    assert first.calls == 1


def test_circuit_breaker_skips_a_failing_provider_until_cooldown() -> None:
    clock = Clock()
    down = FakeProvider("down", {"AAPL": make_raw()}, online=True, script=always_down)
    backup = FakeProvider("backup", {"AAPL": make_raw()})
    policy = ChainPolicy(attempts=1, breaker_threshold=2, breaker_cooldown_s=100)
    md = market(down, backup, policy=policy, clock=clock)
    for _ in range(2):
        md.bars("AAPL", end=END)
    assert down.calls == 2
    for _ in range(3):  # circuit open: not called at all
        md.bars("AAPL", end=END)
    assert down.calls == 2
    clock.now = 100.0  # half-open: one trial
    md.bars("AAPL", end=END)
    assert down.calls == 3


def test_a_permanent_failure_for_one_ticker_does_not_open_the_circuit() -> None:
    class OneBad(FakeProvider):
        def fetch(self, ticker: str, *, start: date | None, end: date) -> RawBars:
            if ticker == "IBM":
                self.calls += 1
                raise ProviderError(self.name, "IBM.csv is corrupt", transient=False)
            return super().fetch(ticker, start=start, end=end)

    files = OneBad("files", {"AAPL": make_raw()})
    md = market(files, policy=ChainPolicy(attempts=3, breaker_threshold=2))
    for _ in range(4):
        with pytest.raises(DataUnavailableError, match="corrupt"):
            md.bars("IBM", end=END)
    assert files.calls == 4  # no retries for a permanent error, and never skipped
    assert md.bars("AAPL", end=END).provenance.provider == "files"


def test_all_providers_down_names_each_reason() -> None:
    a = FakeProvider("a", {}, online=True, script=always_down)
    b = FakeProvider("b", {"AAPL": make_raw()}, online=True, script=always_down)
    with pytest.raises(DataUnavailableError) as err:
        market(a, b, policy=ChainPolicy(attempts=1)).bars("AAPL", end=END)
    assert "down: connection refused" in str(err.value)
    assert str(err.value).count("connection refused") == 2


def test_unknown_everywhere_raises_unknown_ticker() -> None:
    with pytest.raises(UnknownTickerError, match="'ZZZZ'.*a, b"):
        market(FakeProvider("a", {}), FakeProvider("b", {})).bars("ZZZZ", end=END)


def test_empty_range_says_what_the_coverage_is() -> None:
    md = market(FakeProvider("a", {"AAPL": make_raw("2012-01-02", periods=10)}))
    with pytest.raises(EmptyRangeError, match=r"has 2012-01-02..2012-01-13"):
        md.bars("AAPL", start=date(2020, 1, 1), end=date(2020, 12, 31))


def test_reversed_dates_raise_before_any_fetch() -> None:
    provider = FakeProvider("a", {"AAPL": make_raw()})
    with pytest.raises(InvalidRangeError):
        market(provider).bars("AAPL", start=date(2013, 1, 1), end=date(2012, 1, 1))
    assert provider.calls == 0


def test_online_results_are_cached_and_marked(tmp_path: Path) -> None:
    online = FakeProvider("net", {"AAPL": make_raw()}, online=True)
    md = market(online, cache=DiskCache(tmp_path))
    first = md.bars("AAPL", end=END)
    second = md.bars("AAPL", end=END)
    assert online.calls == 1
    assert (first.provenance.cached, second.provenance.cached) == (False, True)
    assert second.provenance.fetched_at == first.provenance.fetched_at
    pd.testing.assert_frame_equal(first.frame, second.frame, check_freq=False)


def test_offline_providers_are_not_cached(tmp_path: Path) -> None:
    local = FakeProvider("local", {"AAPL": make_raw()})
    md = market(local, cache=DiskCache(tmp_path))
    md.bars("AAPL", end=END)
    md.bars("AAPL", end=END)
    assert local.calls == 2


def test_bad_rows_are_quarantined_not_served() -> None:
    raw = make_raw("2012-01-02", periods=10)
    raw.iloc[4, raw.columns.get_loc("high")] = 1.0  # high below low
    fetched = market(FakeProvider("a", {"AAPL": raw})).fetch("AAPL", end=END)
    bad_day = raw.index[4]
    assert bad_day not in fetched.clean.index and len(fetched.clean) == 9
    assert list(fetched.quarantined.index) == [bad_day]
    assert fetched.provenance.quarantined == 1
    assert not fetched.report.ok


def _redis_up() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.redis
@pytest.mark.skipif(not _redis_up(), reason="no Redis server on 127.0.0.1:6379")
def test_chain_caches_in_real_redis() -> None:
    import uuid

    from data.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/0", prefix=f"signaldesk-test-{uuid.uuid4().hex}:")
    online = FakeProvider("net", {"AAPL": make_raw()}, online=True)
    md = market(online, cache=cache)
    try:
        first = md.bars("AAPL", end=END)
        second = market(online, cache=cache).bars("AAPL", end=END)  # a new process, same cache
        assert online.calls == 1 and second.provenance.cached
        pd.testing.assert_frame_equal(first.frame, second.frame, check_freq=False)
    finally:
        for key in cache._redis.scan_iter(f"{cache.prefix}*"):
            cache._redis.delete(key)


def test_before_the_first_bar_the_coverage_says_only_when_the_data_start() -> None:
    md = market(FakeProvider("a", {"GOOG": make_raw("2004-08-19", periods=400)}))
    with pytest.raises(EmptyRangeError) as err:
        md.bars("GOOG", end=date(2004, 6, 30))
    assert "its data start on 2004-08-19, after 2004-06-30" in str(err.value)
    assert "2006" not in str(err.value)  # nothing about data after the as-of date


def test_offline_data_have_a_last_day_and_online_data_do_not() -> None:
    offline = market(
        FakeProvider(
            "a",
            {"AAPL": make_raw("2012-01-02", periods=10), "^X": make_raw("2012-01-02", periods=40)},
        ),
        FakeProvider("b", {"IBM": make_raw("2012-01-02", periods=20)}),
    )
    # the latest bar of any stock (an index is left out), never after today
    assert offline.last_day(today=date(2024, 1, 1)) == date(2012, 1, 27)
    assert offline.last_day(today=date(2012, 1, 10)) == date(2012, 1, 10)
    online = market(FakeProvider("web", {"AAPL": make_raw()}, online=True))
    assert online.last_day(today=date(2024, 1, 1)) is None


def test_a_remembering_market_reads_and_checks_each_window_once() -> None:
    provider = FakeProvider("p", {"AAA": make_raw()})
    plain = market(provider)
    remembering = plain.remembering(size=2)
    first = remembering.bars("aaa", end=END)
    assert remembering.bars("AAA", end=END) is first  # same window: not read again
    remembering.fetch("AAA", end=END)
    assert provider.calls == 1
    remembering.bars("AAA", end=date(2012, 6, 29))  # another window, and the oldest forgotten
    remembering.bars("AAA", start=date(2012, 1, 10), end=END)
    remembering.bars("AAA", end=END)
    assert provider.calls == 4
    plain.bars("AAA", end=END)
    plain.bars("AAA", end=END)
    assert provider.calls == 6  # the original does not remember
    with pytest.raises(ValueError, match="size"):
        plain.remembering(size=0)


def test_a_remembering_market_does_not_remember_errors() -> None:
    provider = FakeProvider("p", {"AAA": make_raw()})
    remembering = market(provider).remembering()
    for _ in range(2):
        with pytest.raises(UnknownTickerError):
            remembering.bars("ZZZ", end=END)
    assert provider.calls == 2
