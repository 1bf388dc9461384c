"""``signaldesk ingest | search | sentiment`` end to end on small invented documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import run

OLD = """ACME CORP ANNUAL REPORT
Item 1A. Risk Factors
Our supply chain depends on a single supplier of widgets in one region. A disruption at that
supplier would delay shipments and hurt revenue. We have no second source for these parts.
Item 7. Management's Discussion and Analysis
Revenue grew 12% on strong widget demand.
"""
NEW = """ACME CORP ANNUAL REPORT
Item 1A. Risk Factors
Supply chain disruption from a new tariff regime could raise component costs sharply.
Item 7. Management's Discussion and Analysis
Revenue fell 5% as demand weakened.
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ACME_10-K_2010-03-01_0000000001-10-000001.txt").write_text(OLD)
    (folder / "ACME_10-K_2012-03-01_0000000001-12-000001.txt").write_text(NEW)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    news = [
        {
            "date": "2013-02-25",
            "tickers": ["MSFT"],
            "title": "Microsoft posts strong gains, record profit",
        },
        {
            "date": "2013-02-26",
            "tickers": ["MSFT"],
            "title": "Microsoft wins award for excellent growth",
        },
        {"date": "2013-03-05", "tickers": ["MSFT"], "title": "Microsoft faces losses and lawsuit"},
    ]
    (folder / "news.jsonl").write_text("\n".join(json.dumps(n) for n in news) + "\n")
    return folder


@pytest.mark.slow
def test_ingest_search_point_in_time_and_sentiment_into_the_signal(docs: Path) -> None:
    first = run("ingest", "folder", str(docs), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["documents"] == 2 and report["news"] == 3 and report["new_news"] == 3
    assert any("broken.pdf" in s["path"] for s in report["skipped"])
    again = json.loads(run("ingest", "folder", str(docs), "--json").stdout)
    assert again["embedded"] == 0 and again["new_news"] == 0  # idempotent

    found = run(
        "search", "supply chain supplier", "--ticker", "ACME", "--as-of", "2011-06-30", "--json"
    )
    assert found.returncode == 0, found.stderr
    passages = json.loads(found.stdout)["passages"]
    assert passages and all(p["source"]["filed"] == "2010-03-01" for p in passages)
    assert passages[0]["source"]["section"] == "Item 1A"
    later = json.loads(
        run("search", "supply chain", "--ticker", "ACME", "--as-of", "2013-01-01", "--json").stdout
    )["passages"]
    assert {p["source"]["filed"] for p in later} == {"2010-03-01", "2012-03-01"}

    sentiment = json.loads(run("sentiment", "MSFT", "--as-of", "2013-02-28", "--json").stdout)
    assert sentiment["values"]["available"] is True and sentiment["values"]["score"] > 0
    assert sentiment["values"]["model"] == "lexicon:loughran-mcdonald"
    signal = json.loads(run("signal", "MSFT", "--as-of", "2013-02-28", "--json").stdout)
    part = signal["values"]["components"]["sentiment"]
    assert part["available"] and part["weight"] == pytest.approx(0.3 / 0.7)
    assert part["score"] == pytest.approx(sentiment["values"]["score_01"])
    # the headline of 2013-03-05 is after as_of and never counts
    assert all(i["published"] <= "2013-02-28" for i in sentiment["values"]["top_items"])


def test_sentiment_of_text_and_clear_errors(tmp_path: Path) -> None:
    out = run("sentiment", "Revenue declined and the company reported a loss", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["label"] == "negative"
    missing = run("sentiment", "--file", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    nothing = run("search", "anything", "--as-of", "2012-01-01")
    assert nothing.returncode == 0 and "no passages match" in nothing.stdout
