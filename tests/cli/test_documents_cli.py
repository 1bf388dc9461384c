"""``signaldesk ingest | search | sentiment`` end to end on small invented documents."""

from __future__ import annotations

import json
import random
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
    assert first.returncode == 1, first.stderr  # broken.pdf was skipped: a partial ingest
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
    assert sentiment["values"]["model"] == "minilm:fin-sentiment-v1"  # the offline default
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


STRIPPED = Path(__file__).parents[1] / "retrieval" / "fixtures" / "edgar_stripped"


def test_ingest_of_nothing_usable_exits_3_with_the_skipped_files(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "ACME_10-K_2021-02-26.html").write_bytes(random.Random(3).randbytes(2048))
    (folder / "notes.txt").write_text("Notes without any date.\n")
    out = run("ingest", "folder", str(folder))
    assert out.returncode == 3, out.stderr
    assert out.stderr.strip() == f"error: nothing ingested from {folder}: all 2 files were skipped"
    assert f"skipped {folder / 'ACME_10-K_2021-02-26.html'}: binary content" in out.stdout
    assert f"skipped {folder / 'notes.txt'}: no date to place it in time" in out.stdout
    as_json = run("ingest", "folder", str(folder), "--json")
    assert as_json.returncode == 3
    report = json.loads(as_json.stdout)
    assert (report["status"], report["documents"], len(report["skipped"])) == ("nothing", 0, 2)


@pytest.mark.slow
def test_ingest_with_skipped_files_exits_1_and_stripped_edgar_files_load(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for path in STRIPPED.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    out = run("ingest", "folder", str(folder), "--json")
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert (report["status"], report["documents"]) == ("partial", 1)
    assert report["skipped"] == [
        {"path": str(folder / "photo.html"), "reason": "binary content (a PNG image), not text"}
    ]
    (folder / "photo.html").unlink()
    again = run("ingest", "folder", str(folder), "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "ok"
    found = run(
        "search",
        "sprockets supplier",
        "--form",
        "10-K",
        "--fiscal-year",
        "2020",
        "--filed-after",
        "2021-02-01",
        "--filed-before",
        "2021-03-01",
        "--json",
    )
    assert found.returncode == 0, found.stderr
    passages = json.loads(found.stdout)["passages"]
    assert passages and {p["source"]["filed"] for p in passages} == {"2021-02-26"}
    assert {p["source"]["fiscal_period"] for p in passages} == {"FY2020"}
    for window in (
        ("--filed-after", "2021-02-27"),
        ("--filed-before", "2021-02-25"),
        ("--fiscal-year", "2019"),
        ("--form", "10-Q"),
    ):
        none = json.loads(run("search", "sprockets supplier", *window, "--json").stdout)
        assert none["passages"] == [], window
    reversed_window = run(
        "search", "x", "--filed-after", "2021-03-01", "--filed-before", "2021-02-01"
    )
    assert reversed_window.returncode == 2
    assert reversed_window.stderr.strip() == (
        "error: --filed-after 2021-03-01 is after --filed-before 2021-02-01"
    )
