"""BarStore on SQLite and PostgreSQL: idempotent upserts, reads cut at ``end``, quarantine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data.errors import InvalidRangeError, InvalidTickerError
from data.quality import check_bars, quarantine
from data.store import BarStore, DailyBar, Instrument, InvalidBarsError, UpsertResult
from data.store.models import bar_values_hash

MakeBars = Callable[..., pd.DataFrame]
T1 = datetime(2025, 1, 2, 9, 30, tzinfo=UTC)
T2 = datetime(2025, 1, 3, 9, 30, tzinfo=UTC)


class Clock:
    """A settable clock for ``loaded_at``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _assert_bars_equal(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    # ``to_raw_frame`` may infer a frequency (BusinessDay) for the input; stored bars carry none
    pd.testing.assert_frame_equal(got, expected, check_freq=False)


@pytest.fixture
def clock() -> Clock:
    return Clock(T1)


@pytest.fixture
def store(engine: Engine, clock: Clock) -> Iterator[BarStore]:
    yield BarStore(engine, clock=clock)


def _loaded_at(engine: Engine, ticker: str) -> pd.Series:
    table = DailyBar.__table__
    query = sa.select(table.c.date, table.c.loaded_at).where(table.c.ticker == ticker)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(table.c.date)).all()
    return pd.Series([r.loaded_at for r in rows], index=pd.to_datetime([r.date for r in rows]))


def test_second_load_of_same_bars_changes_nothing(store, engine, clock, make_bars):
    raw = make_bars(300)
    assert store.upsert_bars(ticker="AAPL", source="yahoo", raw=raw) == UpsertResult(300, 0, 0)
    clock.now = T2
    assert store.upsert_bars(ticker="AAPL", source="yahoo", raw=raw) == UpsertResult(0, 0, 300)
    stamps = _loaded_at(engine, "AAPL")
    assert len(stamps) == 300
    assert (stamps == T1).all()


def test_changed_values_update_only_those_rows(store, engine, clock, make_bars):
    raw = make_bars(50)
    raw.loc[raw.index[10], "adj_close"] = np.nan
    store.upsert_bars(ticker="AAPL", source="yahoo", raw=raw)
    changed = raw.copy()
    changed.loc[changed.index[3], "close"] += 0.5
    changed.loc[changed.index[7], "volume"] = 12345.0
    changed.loc[changed.index[10], "adj_close"] = 99.0  # NULL -> value
    changed.loc[changed.index[20], "adj_close"] = np.nan  # value -> NULL
    clock.now = T2

    result = store.upsert_bars(ticker="AAPL", source="yahoo", raw=changed)

    assert result == UpsertResult(inserted=0, updated=4, unchanged=46)
    back = store.read_bars(ticker="AAPL", source="yahoo", start=None, end=date(2030, 1, 1))
    _assert_bars_equal(back, changed)
    stamps = _loaded_at(engine, "AAPL")
    assert set(stamps[stamps == T2].index) == {changed.index[i] for i in (3, 7, 10, 20)}


def test_new_days_are_inserted_and_old_ones_kept(store, make_bars):
    raw = make_bars(40)
    store.upsert_bars(ticker="MSFT", source="yahoo", raw=raw.iloc[:30])
    result = store.upsert_bars(ticker="MSFT", source="yahoo", raw=raw.iloc[25:])
    assert result == UpsertResult(inserted=10, updated=0, unchanged=5)
    back = store.read_bars(ticker="MSFT", source="yahoo", start=None, end=date(2030, 1, 1))
    _assert_bars_equal(back, raw)


def test_read_is_cut_at_end_and_starts_at_start(store, make_bars):
    raw = make_bars(120, start="2024-01-02")
    store.upsert_bars(ticker="AAPL", source="yahoo", raw=raw)
    back = store.read_bars(
        ticker="aapl", source="yahoo", start=date(2024, 2, 1), end=date(2024, 3, 15)
    )
    assert back.index.min() == pd.Timestamp("2024-02-01")
    assert back.index.max() == pd.Timestamp("2024-03-15")
    assert (back.index <= pd.Timestamp("2024-03-15")).all()
    _assert_bars_equal(back, raw.loc["2024-02-01":"2024-03-15"])


def test_read_end_before_first_bar_is_empty(store, make_bars):
    store.upsert_bars(ticker="AAPL", source="yahoo", raw=make_bars(10, start="2024-01-02"))
    back = store.read_bars(ticker="AAPL", source="yahoo", start=None, end=date(2024, 1, 1))
    assert back.empty
    assert list(back.columns) == ["open", "high", "low", "close", "volume", "adj_close"]


def test_nan_adj_close_round_trips_as_nan(store, make_bars):
    with_gaps = make_bars(20)
    with_gaps.iloc[[0, 5, 19], with_gaps.columns.get_loc("adj_close")] = np.nan
    without = make_bars(20, adj=False)
    store.upsert_many([("AAPL", "a", with_gaps), ("IBM", "b", without)])
    back = store.read_bars(ticker="AAPL", source="a", start=None, end=date(2030, 1, 1))
    assert back["adj_close"].dtype == np.float64
    assert np.flatnonzero(back["adj_close"].isna()).tolist() == [0, 5, 19]
    bare = store.read_bars(ticker="IBM", source="b", start=None, end=date(2030, 1, 1))
    assert bare["adj_close"].isna().all()
    assert bare["close"].tolist() == without["close"].tolist()


def test_upsert_many_counts_and_summaries(store, make_bars):
    frames = [
        ("AAPL", "yahoo", make_bars(30, seed=1)),
        ("AAPL", "stooq", make_bars(20, seed=2, start="2023-06-01")),
        ("^GSPC", "stooq", make_bars(25, seed=3, adj=False)),
    ]
    assert store.upsert_many(frames) == UpsertResult(75, 0, 0)
    assert store.upsert_many(frames) == UpsertResult(0, 0, 75)
    assert store.sources("AAPL") == ["yahoo", "stooq"]
    summary = store.tickers()
    assert [(s["ticker"], s["source"], s["rows"]) for s in summary] == [
        ("AAPL", "stooq", 20),
        ("AAPL", "yahoo", 30),
        ("^GSPC", "stooq", 25),
    ]
    assert summary[0]["first_date"] == date(2023, 6, 1)
    assert summary[1]["last_date"] == make_bars(30).index[-1].date()
    assert [s["source"] for s in store.tickers(ticker="aapl")] == ["stooq", "yahoo"]


def test_instruments_are_created_and_their_span_widened(store, engine, make_bars):
    raw = make_bars(60, start="2024-01-02")
    store.upsert_bars(ticker="^GSPC", source="stooq", raw=raw.iloc[20:40])
    store.upsert_bars(ticker="^GSPC", source="yahoo", raw=raw.iloc[:30])
    store.upsert_bars(ticker="^GSPC", source="stooq", raw=raw.iloc[35:])
    with engine.connect() as conn:
        row = conn.execute(sa.select(Instrument.__table__)).one()
    assert row.ticker == "^GSPC"
    assert row.asset_class == "index"
    assert row.first_date == raw.index[0].date()
    assert row.last_date == raw.index[-1].date()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: pd.concat([f, f.iloc[[3]]]), "duplicated dates"),
        (lambda f: f.assign(close=f["close"].where(f.index != f.index[2])), "missing"),
        (lambda f: f.drop(columns="volume"), "missing columns"),
        (lambda f: f.set_axis(f.index.where(f.index != f.index[1]), axis=0), "without a date"),
    ],
)
def test_bad_bars_are_refused_and_nothing_is_stored(store, make_bars, mutate, message):
    good = make_bars(5)
    with pytest.raises(InvalidBarsError, match=message):
        store.upsert_many([("IBM", "x", good), ("AAPL", "x", mutate(make_bars(10)))])
    assert store.tickers() == []


def test_bad_ticker_and_range_are_refused(store, make_bars):
    with pytest.raises(InvalidTickerError):
        store.upsert_bars(ticker="not a ticker", source="x", raw=make_bars(3))
    with pytest.raises(InvalidRangeError):
        store.read_bars(ticker="AAPL", source="x", start=date(2024, 2, 1), end=date(2024, 1, 1))


def test_unsorted_input_is_stored_in_date_order(store, make_bars):
    raw = make_bars(15)
    store.upsert_bars(ticker="AAPL", source="x", raw=raw.iloc[::-1])
    back = store.read_bars(ticker="AAPL", source="x", start=None, end=date(2030, 1, 1))
    _assert_bars_equal(back, raw)


def _quarantine_rows() -> pd.DataFrame:
    index = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-03", None], name="date")
    return pd.DataFrame(
        {
            "open": [10.0, np.nan, 5.0, 1.0],
            "high": [9.0, 11.0, 4.0, 1.0],
            "low": [8.0, 10.0, 6.0, 1.0],
            "close": [9.5, 10.5, 5.5, 1.0],
            "volume": [100.0, -5.0, 10.0, 1.0],
            "adj_close": [np.nan, np.nan, 5.0, np.nan],
            "reason": ["high_ge_open_close", "not_null, volume_ge_0", "high_ge_low", "not_null"],
        },
        index=index,
    )


def test_quarantine_is_idempotent_and_keeps_values(store, engine):
    rows = _quarantine_rows()
    assert store.add_quarantined(ticker="AAPL", source="yahoo", rows=rows) == 3
    assert store.add_quarantined(ticker="AAPL", source="yahoo", rows=rows) == 0
    assert store.add_quarantined(ticker="AAPL", source="stooq", rows=rows.iloc[:1]) == 1
    query = sa.text(
        "SELECT date, open, volume, adj_close, reason FROM quarantined_bars"
        " WHERE source = 'yahoo' ORDER BY date, reason"
    )
    with engine.connect() as conn:
        got = [tuple(r) for r in conn.execute(query).all()]
    assert [(str(d), o, v, a, r) for d, o, v, a, r in got] == [
        ("2024-01-02", 10.0, 100.0, None, "high_ge_open_close"),
        ("2024-01-03", 5.0, 10.0, 5.0, "high_ge_low"),
        ("2024-01-03", None, -5.0, None, "not_null, volume_ge_0"),
    ]


def test_quarantine_needs_a_reason_column(store):
    with pytest.raises(ValueError, match="reason"):
        store.add_quarantined(
            ticker="AAPL", source="x", rows=_quarantine_rows().drop(columns="reason")
        )


def _day_received_twice(
    make_bars: MakeBars, change: Callable[[pd.DataFrame], None]
) -> pd.DataFrame:
    """The quarantined rows of five bars whose third day arrived twice, the copy ``change``d."""
    raw = make_bars(5)
    copy = raw.iloc[2:3].copy()
    change(copy)
    raw = pd.concat([raw.iloc[:3], copy, raw.iloc[3:]])
    _, bad = quarantine(raw, check_bars(raw, ticker="AAPL", calendar=None))
    assert list(bad["reason"]) == ["unique_dates", "unique_dates"]
    return bad


def _stored_quarantine(engine: Engine) -> list[tuple]:
    query = sa.text(
        "SELECT date, open, high, low, close, volume, adj_close, reason FROM quarantined_bars"
        " ORDER BY id"
    )
    with engine.connect() as conn:
        return [(str(r[0]), *r[1:]) for r in conn.execute(query).all()]


def _scale_prices(copy: pd.DataFrame) -> None:
    copy[["open", "high", "low", "close", "adj_close"]] *= 1.01


def _drop_adj_close(copy: pd.DataFrame) -> None:
    copy["adj_close"] = np.nan


def _one_more_share(copy: pd.DataFrame) -> None:
    copy["volume"] += 1.0


@pytest.mark.parametrize("change", [_scale_prices, _drop_adj_close, _one_more_share])
def test_copies_of_a_day_with_different_values_are_all_quarantined(
    store, engine, make_bars, change
):
    bad = _day_received_twice(make_bars, change)

    assert store.add_quarantined(ticker="AAPL", source="yahoo", rows=bad) == 2
    assert store.add_quarantined(ticker="AAPL", source="yahoo", rows=bad) == 0
    expected = [
        (str(day.date()), *(None if np.isnan(v) else v for v in row[:-1]), row[-1])
        for day, row in zip(bad.index, bad.itertuples(index=False), strict=True)
    ]
    assert _stored_quarantine(engine) == expected


def test_exact_copies_of_a_day_are_quarantined_once(store, engine, make_bars):
    bad = _day_received_twice(make_bars, lambda copy: None)

    assert store.add_quarantined(ticker="AAPL", source="yahoo", rows=bad) == 1
    assert store.add_quarantined(ticker="AAPL", source="yahoo", rows=bad.iloc[1:]) == 0
    day, row = bad.index[0], bad.iloc[0]
    assert _stored_quarantine(engine) == [
        (
            str(day.date()),
            *row[["open", "high", "low", "close", "volume", "adj_close"]],
            row["reason"],
        )
    ]


def test_values_hash_is_canonical_and_stable():
    row = {"open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "volume": 1234.0}
    digest = bar_values_hash(row)

    assert digest == "f318c0f907ddd4ca"  # the encoding is part of the stored key: never change it
    assert bar_values_hash(row | {"adj_close": None}) == digest
    assert bar_values_hash(row | {"adj_close": float("nan")}) == digest
    assert bar_values_hash(row | {"open": 10.0 + 1e-14}) == digest  # parser noise
    assert bar_values_hash(row | {"close": -0.0}) == bar_values_hash(row | {"close": 0.0})
    assert bar_values_hash(row | {"adj_close": 10.5}) != digest
    assert bar_values_hash(row | {"volume": 12_345_678_901.0}) != bar_values_hash(
        row | {"volume": 12_345_678_902.0}
    )


def test_one_load_mixing_stored_and_new_pairs(store, make_bars):
    aapl, msft = make_bars(30, seed=1), make_bars(12, seed=2)
    store.upsert_bars(ticker="AAPL", source="yahoo", raw=aapl.iloc[:20])
    changed = aapl.copy()
    changed.loc[changed.index[4], "open"] *= 1.01

    result = store.upsert_many([("AAPL", "yahoo", changed), ("MSFT", "yahoo", msft)])

    assert result == UpsertResult(inserted=10 + 12, updated=1, unchanged=19)
    end = date(2030, 1, 1)
    _assert_bars_equal(store.read_bars(ticker="AAPL", source="yahoo", start=None, end=end), changed)
    _assert_bars_equal(store.read_bars(ticker="MSFT", source="yahoo", start=None, end=end), msft)


def test_empty_load_stores_nothing(store, make_bars):
    assert store.upsert_many([]) == UpsertResult(0, 0, 0)
    assert store.upsert_bars(ticker="AAPL", source="x", raw=make_bars(0)) == UpsertResult(0, 0, 0)
    assert store.tickers() == []
