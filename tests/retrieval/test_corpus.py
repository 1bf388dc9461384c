from __future__ import annotations

from datetime import date
from pathlib import Path

from retrieval.corpus import Corpus
from retrieval.types import Document, NewsItem


def news(i: int, day: date, tickers: tuple[str, ...] = ("AAPL",)) -> NewsItem:
    return NewsItem(id=f"n{i}", published=day, tickers=tickers, title=f"headline {i}")


def test_news_round_trip_filters_and_is_idempotent(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    items = [
        news(1, date(2012, 1, 3)),
        news(2, date(2012, 1, 10), ("AAPL", "MSFT")),
        news(3, date(2012, 2, 1), ("MSFT",)),
    ]
    assert corpus.add_news(items) == 3
    assert corpus.add_news(items) == 0
    got = corpus.news("AAPL", start=date(2012, 1, 1), end=date(2012, 1, 10))
    assert [n.id for n in got] == ["n1", "n2"] and got[1].tickers == ("AAPL", "MSFT")
    assert corpus.news("AAPL", start=date(2012, 1, 4), end=date(2012, 1, 9)) == []
    assert corpus.counts() == {"news": 3, "calls": 0, "filings": 0}


def test_calls_are_documents_by_ticker_and_date(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    call = Document(
        id="c1",
        kind="call",
        ticker="IBM",
        available_on=date(2012, 1, 20),
        source="x.txt",
        text="Revenue grew strongly.",
        title="IBM Q4 2011",
    )
    other = Document(
        id="f1",
        kind="filing",
        ticker="IBM",
        available_on=date(2012, 1, 20),
        source="y.txt",
        text="10-K",
    )
    assert corpus.add_calls([call, other]) == 1
    assert corpus.calls("IBM", start=date(2012, 1, 1), end=date(2012, 1, 31)) == [call]
    assert corpus.calls("IBM", start=date(2012, 1, 21), end=date(2012, 1, 31)) == []


def test_filings_are_listed_by_date_without_their_text(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    filings = [
        Document(
            id=f"f{i}",
            kind="filing",
            ticker="IBM",
            form=form,
            available_on=day,
            source=f"{i}.htm",
            text="the whole filing",
            title=f"IBM {form}",
        )
        for i, (form, day) in enumerate([("10-K", date(2012, 2, 28)), ("10-Q", date(2012, 5, 1))])
    ]
    call = filings[0].model_copy(update={"id": "c", "kind": "call"})
    assert corpus.add_filings([*filings, call]) == 2
    assert corpus.add_filings(filings) == 0
    got = corpus.filings("IBM", start=date(2012, 3, 1), end=date(2012, 12, 31))
    assert [(f.id, f.form, f.text) for f in got] == [("f1", "10-Q", "")]
    assert corpus.filings("MSFT", start=date(2012, 1, 1), end=date(2012, 12, 31)) == []
    assert corpus.counts()["filings"] == 2
