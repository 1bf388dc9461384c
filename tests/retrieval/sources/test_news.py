from __future__ import annotations

from datetime import date
from pathlib import Path

from retrieval.sources.news import news_document, news_item, read_news, read_reuters_jsonl


def test_reuters_jsonl_loads_and_reports_bad_lines(fixtures: Path) -> None:
    path = fixtures / "news" / "wire_headlines.jsonl"
    load = read_reuters_jsonl(path)
    assert [i.title for i in load.items] == [
        "Acme unveils a lighter widget",
        "Acme and Beta settle patent dispute",
        "Beta names new finance chief",
    ]
    first = load.items[0]
    assert (first.published, first.tickers, first.url, first.source) == (
        date(2011, 3, 2),
        ("ACME",),
        "http://example.com/news/acme-1",
        "reuters:technologyNews",
    )
    assert load.items[1].tickers == ("ACME", "BETA")
    assert [(Path(s.path).name, s.reason.split(":")[0]) for s in load.skipped] == [
        ("wire_headlines.jsonl:3", "invalid JSON"),
        ("wire_headlines.jsonl:4", "no title/headline"),
    ]


def test_generic_csv_news(fixtures: Path) -> None:
    load = read_news(fixtures / "news" / "blog_posts.csv")
    assert len(load.items) == 2
    squeeze = load.items[0]
    assert (squeeze.published, squeeze.tickers, squeeze.source) == (
        date(2021, 6, 1),
        ("ACME", "BETA"),
        "blog_posts",
    )
    assert squeeze.body == "Steel prices rose 20% in May, squeezing margins."
    assert load.skipped[0].reason == "no readable date in 'not a date'"


def test_a_csv_that_is_not_news_is_skipped_once(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text("ticker,form,filing_date\nACME,10-K,2021-02-26\nACME,10-Q,2021-05-07\n")
    load = read_news(path)
    assert load.items == []
    assert len(load.skipped) == 1 and load.skipped[0].reason.startswith("not a news CSV")


def test_ids_are_stable_and_distinct() -> None:
    row = {"date": "2011-03-02", "title": "Acme unveils a widget", "url": "http://example.com/1"}
    a, b = news_item(row, feed="x"), news_item(dict(row), feed="y")
    c = news_item({**row, "url": "http://example.com/2"}, feed="x")
    assert a.id == b.id != c.id


def test_news_document() -> None:
    one = news_item(
        {
            "date": "2011-03-02",
            "ticker": "acme",
            "headline": "Acme wins a contract",
            "summary": "A large order from a retailer.",
        },
        feed="wire",
    )
    doc = news_document(one)
    assert (doc.kind, doc.ticker, doc.available_on, doc.form) == (
        "news",
        "ACME",
        date(2011, 3, 2),
        None,
    )
    assert doc.text == "Acme wins a contract\n\nA large order from a retailer."
    two = news_item(
        {"date": "2011-03-02", "tickers": ["ACME", "BETA"], "title": "Merger talk"}, feed="wire"
    )
    assert news_document(two).ticker is None
