from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ids import content_hash
from quant.sentiment import (
    LexiconScorer,
    LexiconUnavailableError,
    ScoredItem,
    SentimentInputError,
    SentimentScore,
    score_calls,
    score_news,
    sentiment_at,
    sentiment_series,
    ticker_sentiment,
)
from quant.signals.config import SentimentWeights
from retrieval.types import Document, NewsItem

AS_OF = date(2012, 6, 15)
D = timedelta(days=1)


@dataclass
class TableScorer:
    """A scripted scorer: the score of a text is looked up; it records every text it saw."""

    table: dict[str, float]
    seen: list[str] = field(default_factory=list)

    @property
    def model(self) -> str:
        return "fake:table"

    def score(self, texts: Sequence[str]) -> list[SentimentScore]:
        self.seen.extend(texts)
        out = []
        for text in texts:
            s = self.table.get(text, 0.0)
            label = "positive" if s > 0 else "negative" if s < 0 else "neutral"
            p, n = max(s, 0.0), max(-s, 0.0)
            out.append(SentimentScore(label, s, p, n, 1 - p - n, self.model))
        return out


def news(id_: str, day: date, title: str, tickers: tuple[str, ...] = ("AAPL",)) -> NewsItem:
    return NewsItem(id=id_, published=day, tickers=tickers, title=title)


def call(id_: str, day: date, text: str, ticker: str = "AAPL") -> Document:
    return Document(id=id_, kind="call", ticker=ticker, available_on=day, source=id_, text=text)


SCORES = {
    "today": 1.0,
    "six days ago": 0.5,
    "seven days ago": -0.2,
    "34 days ago": 0.4,
    "35 days ago": -1.0,
    "latest call": -0.6,
    "older call": 0.9,
    "future": 1.0,
    "msft": -1.0,
}
NEWS = [
    news("n-today", AS_OF, "today"),
    news("n-6", AS_OF - 6 * D, "six days ago"),
    news("n-7", AS_OF - 7 * D, "seven days ago"),
    news("n-34", AS_OF - 34 * D, "34 days ago"),
    news("n-35", AS_OF - 35 * D, "35 days ago"),  # outside every window
    news("n-msft", AS_OF - 2 * D, "msft", tickers=("MSFT",)),
]
CALLS = [call("c-30", AS_OF - 30 * D, "latest call"), call("c-95", AS_OF - 95 * D, "older call")]


def run(**kwargs: object):
    defaults = {"ticker": "AAPL", "as_of": AS_OF, "news": NEWS, "calls": CALLS}
    return ticker_sentiment(scorer=TableScorer(SCORES), **{**defaults, **kwargs})


def test_windows_weights_and_mapping() -> None:
    agg = run()
    lw, w4, ec = (agg.part(n) for n in ("last_week", "weeks_1_to_4", "earnings_calls"))
    assert (lw.score, lw.n, lw.start, lw.end) == (pytest.approx(0.75), 2, AS_OF - 6 * D, AS_OF)
    assert (w4.score, w4.n, w4.start, w4.end) == (
        pytest.approx(0.1),
        2,
        AS_OF - 34 * D,
        AS_OF - 7 * D,
    )
    assert (ec.score, ec.n) == (pytest.approx(-0.6), 1)  # the latest call only
    assert [p.weight_used for p in agg.parts] == pytest.approx([0.4, 0.3, 0.3])
    assert agg.score == pytest.approx(0.4 * 0.75 + 0.3 * 0.1 + 0.3 * -0.6)  # 0.15
    assert agg.score_01 == pytest.approx((0.15 + 1) / 2)
    assert agg.model == "fake:table"
    assert agg.ticker == "AAPL"


def test_two_latest_calls_are_averaged() -> None:
    agg = run(n_calls=2)
    assert agg.part("earnings_calls").score == pytest.approx((-0.6 + 0.9) / 2)


def test_absent_parts_are_renormalised_away_and_reported() -> None:
    agg = run(calls=[])
    ec = agg.part("earnings_calls")
    assert (ec.score, ec.n, ec.weight, ec.weight_used) == (None, 0, 0.3, 0.0)
    assert ec.reason == "no earnings call for AAPL between 2012-03-07 and 2012-06-15"
    assert [p.weight_used for p in agg.parts[:2]] == pytest.approx([0.4 / 0.7, 0.3 / 0.7])
    assert agg.score == pytest.approx((0.4 * 0.75 + 0.3 * 0.1) / 0.7)

    stale = run(calls=[call("c-101", AS_OF - 101 * D, "older call")])
    assert stale.part("earnings_calls").score is None  # beyond the 100-day lookback

    only_call = run(news=[])
    assert only_call.score == pytest.approx(-0.6)
    assert (
        "no news for AAPL between 2012-06-09 and 2012-06-15" in only_call.part("last_week").reason
    )


def test_no_data_at_all_is_reported_not_invented() -> None:
    agg = run(news=[], calls=[])
    assert (agg.score, agg.score_01, agg.available) == (None, None, False)
    assert agg.reason.startswith("no sentiment: no news for AAPL")
    part = agg.to_part()
    assert part.score is None and not part.available
    assert part.reason == agg.reason


def test_configured_weights_are_used() -> None:
    agg = run(weights=SentimentWeights(last_week=1.0, weeks_1_to_4=0.0, earnings_calls=1.0))
    assert [p.weight_used for p in agg.parts] == pytest.approx([0.5, 0.0, 0.5])
    assert agg.score == pytest.approx(0.5 * 0.75 + 0.5 * -0.6)


def test_top_contributors_carry_citable_ids() -> None:
    agg = run(top_k=3)
    # contributions: n-today 0.4*1/2, c-30 0.3*-0.6, n-6 0.4*0.5/2, n-34 0.3*0.4/2, n-7 0.3*-0.2/2
    assert agg.top_item_ids == ("n-today", "c-30", "n-6")
    assert [c.contribution for c in agg.top_items] == pytest.approx([0.2, -0.18, 0.1])
    everything = run(top_k=10)
    assert sum(c.contribution for c in everything.top_items) == pytest.approx(everything.score)
    out = json.loads(json.dumps(agg.to_dict()))
    assert out["parts"]["last_week"] == {
        "score": 0.75,
        "n": 2,
        "window": ["2012-06-09", "2012-06-15"],
        "weight": 0.4,
        "weight_used": 0.4,
        "reason": "",
    }
    assert out["top_item_ids"] == ["n-today", "c-30", "n-6"]
    assert agg.to_part().score == pytest.approx(0.575)


def test_future_items_never_change_the_result_nor_reach_the_scorer() -> None:
    scorer = TableScorer(SCORES)
    planted_news = [*NEWS, news("n-future", AS_OF + D, "future")]
    planted_calls = [*CALLS, call("c-future", AS_OF + D, "future")]
    with_future = ticker_sentiment(
        ticker="AAPL", as_of=AS_OF, news=planted_news, calls=planted_calls, scorer=scorer
    )
    assert with_future.to_dict() == run().to_dict()
    assert "future" not in scorer.seen
    assert "35 days ago" not in scorer.seen  # outside the windows: never scored either
    assert "msft" not in scorer.seen


def test_calls_input_forms() -> None:
    scorer = TableScorer(SCORES)
    pairs = score_calls([(AS_OF - 3 * D, "latest call")], scorer, ticker="aapl")
    assert pairs[0].id.startswith("call:2012-06-12:")
    assert (pairs[0].score, pairs[0].tickers) == (-0.6, ("aapl",))
    other = score_calls([call("c-msft", AS_OF, "older call", ticker="MSFT")], scorer, ticker="AAPL")
    assert other == []
    filing = Document(id="f", kind="filing", available_on=AS_OF, source="x", text="10-K")
    with pytest.raises(SentimentInputError, match="not an earnings call"):
        score_calls([filing], scorer)


def item(day: date, score: float, id_: str | None = None) -> ScoredItem:
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return ScoredItem(id_ or f"{day}:{score}", "news", day, score, label, "fake:table")


def test_daily_and_weekly_series() -> None:
    items = [
        item(date(2012, 6, 4), 1.0, "a"),
        item(date(2012, 6, 4), 0.0, "b"),
        item(date(2012, 6, 6), -0.5),
        item(date(2012, 6, 14), 0.25),
        item(date(2012, 6, 16), 1.0),  # after end
    ]
    daily = sentiment_series(items, freq="D", start=date(2012, 6, 3), end=date(2012, 6, 15))
    assert len(daily) == 13
    assert daily.loc["2012-06-04"].tolist() == [0.5, 2]
    assert daily.loc["2012-06-05", "n"] == 0 and np.isnan(daily.loc["2012-06-05", "score"])
    assert daily["n"].sum() == 4

    weekly = sentiment_series(items, freq="W", end=date(2012, 6, 15))  # weeks end on Fridays
    assert weekly.index.strftime("%Y-%m-%d").tolist() == ["2012-06-08", "2012-06-15"]
    assert weekly["n"].tolist() == [3, 1]
    assert weekly["score"].tolist() == pytest.approx([(1.0 + 0.0 - 0.5) / 3, 0.25])

    sundays = sentiment_series(items, freq="W")
    assert sundays.index.day_of_week.unique().tolist() == [6]
    assert sundays["n"].sum() == 5
    assert sentiment_series([], freq="D").empty


days = st.integers(min_value=-60, max_value=30)
scored = st.lists(st.tuples(days, st.floats(-1, 1), st.booleans()), min_size=0, max_size=25)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(rows=scored, cut=st.integers(min_value=-40, max_value=20))
def test_lookahead_truncated_equals_full(rows: list[tuple[int, float, bool]], cut: int) -> None:
    base = date(2012, 1, 1)
    t = base + cut * D
    news_items = [
        item(base + d * D, s, f"n{i}") for i, (d, s, is_call) in enumerate(rows) if not is_call
    ]
    call_items = [
        ScoredItem(f"c{i}", "call", base + d * D, s, "neutral", "fake:table")
        for i, (d, s, is_call) in enumerate(rows)
        if is_call
    ]
    past_news = [i for i in news_items if i.published <= t]
    past_calls = [i for i in call_items if i.published <= t]
    full = sentiment_at(news_items, call_items, as_of=t, model="fake:table")
    truncated = sentiment_at(past_news, past_calls, as_of=t, model="fake:table")
    assert full.to_dict() == truncated.to_dict()
    if full.score is not None:
        assert -1 <= full.score <= 1 and 0 <= full.score_01 <= 1

    series_full = sentiment_series(news_items, freq="D", start=base - 60 * D, end=base + 30 * D)
    series_cut = sentiment_series(past_news, freq="D", start=base - 60 * D, end=t)
    head = series_full.loc[: t.isoformat()]
    assert head["n"].tolist() == series_cut["n"].tolist()
    np.testing.assert_allclose(head["score"], series_cut["score"])


def test_score_news_filters_by_ticker_and_dates() -> None:
    scorer = TableScorer(SCORES)
    out = score_news(NEWS, scorer, ticker="aapl", start=AS_OF - 7 * D, as_of=AS_OF)
    assert [i.id for i in out] == ["n-7", "n-6", "n-today"]  # oldest first
    assert [i.score for i in out] == [-0.2, 0.5, 1.0]


REUTERS = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "data"
    / "news_reuters_headlines_5co_2007_2013"
    / "reuters_headlines_AAPL_MSFT_IBM_GOOG_FB_2007_2013.jsonl"
)


def reuters_news(ticker: str, start: date, end: date) -> list[NewsItem]:
    items = []
    with REUTERS.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            day = date.fromisoformat(row["date"])
            if ticker in row["tickers"] and start <= day <= end:
                items.append(
                    NewsItem(
                        id="R-" + content_hash(row["url"] or row["title"]),
                        published=day,
                        tickers=tuple(row["tickers"]),
                        title=row["title"],
                        url=row["url"] or "",
                        source="reuters",
                    )
                )
    return items


@pytest.mark.shared_data
def test_reuters_aapl_after_its_january_2012_results() -> None:
    if not REUTERS.exists():
        pytest.skip(
            f"Reuters headlines not found at {REUTERS} (../shared/data is not in this clone)"
        )
    try:
        scorer = LexiconScorer()
    except LexiconUnavailableError as err:
        pytest.skip(f"Loughran-McDonald word list not available: {err}")
    as_of = date(2012, 1, 25)  # the day after Apple's record December-quarter results
    items = reuters_news("AAPL", as_of - 40 * D, as_of + 10 * D)  # includes 10 future days
    agg = ticker_sentiment(ticker="AAPL", as_of=as_of, news=items, scorer=scorer)

    in_last_week = [i for i in items if as_of - 6 * D <= i.published <= as_of]
    in_weeks_1_4 = [i for i in items if as_of - 34 * D <= i.published <= as_of - 7 * D]
    assert agg.part("last_week").n == len(in_last_week) > 0
    assert agg.part("weeks_1_to_4").n == len(in_weeks_1_4) > 0
    assert agg.part("earnings_calls").score is None  # no transcripts given: reported absent
    assert agg.model == "lexicon:loughran-mcdonald"
    assert agg.score is not None and -1 <= agg.score <= 1
    assert [p.weight_used for p in agg.parts] == pytest.approx([0.4 / 0.7, 0.3 / 0.7, 0.0])
    window_ids = {i.id for i in in_last_week + in_weeks_1_4}
    assert agg.top_item_ids and set(agg.top_item_ids) <= window_ids

    scored = score_news(items, scorer, ticker="AAPL", as_of=as_of)
    weekly = sentiment_series(scored, freq="W", start=as_of - 34 * D, end=as_of)
    assert len(weekly) == 5
    assert weekly["n"].iloc[-1] == len(in_last_week)
    assert weekly["n"].sum() == len(in_last_week) + len(in_weeks_1_4)
