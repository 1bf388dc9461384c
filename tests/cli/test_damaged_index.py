"""``signaldesk search`` and ``ingest`` after the index and corpus files were truncated or
garbled (a kill -9 mid-write, a full disk): no traceback, the same answers after the rebuild."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import run

FILING = """ACME CORP ANNUAL REPORT
Item 1A. Risk Factors
Our supply chain depends on a single supplier of widgets in one region. A disruption at that
supplier would delay shipments and hurt revenue. We have no second source for these parts.
Item 7. Management's Discussion and Analysis
Revenue grew 12% on strong widget demand.
"""


def _search() -> list[tuple[str, str]]:
    found = run("search", "supply chain supplier", "--ticker", "ACME", "--json")
    assert found.returncode == 0, found.stderr
    assert "Traceback" not in found.stderr
    passages = json.loads(found.stdout)["passages"]
    return [(p["source"]["section"], p["id"]) for p in passages]


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["empty", "half"])
def test_search_and_reingest_after_the_index_files_were_damaged(
    tmp_path: Path, damage: str
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ACME_10-K_2010-03-01_0000000001-10-000001.txt").write_text(FILING)
    (docs / "news.jsonl").write_text(
        json.dumps({"date": "2010-03-02", "tickers": ["ACME"], "title": "Acme wins award"}) + "\n"
    )
    assert run("ingest", "folder", str(docs), "--json").returncode == 0
    before = _search()
    assert before and before[0][0] == "Item 1A"
    home = Path(tmp_path / "home")
    damaged = [*home.rglob("bm25/chunks.parquet"), *home.rglob("news.parquet")]
    assert len(damaged) == 2, damaged
    for path in damaged:
        path.write_bytes(
            b"" if damage == "empty" else path.read_bytes()[: path.stat().st_size // 2]
        )
    assert _search() == before  # BM25 rebuilt from the vector store
    again = run("ingest", "folder", str(docs), "--json")
    assert again.returncode == 0 and "Traceback" not in again.stderr
    assert json.loads(again.stdout)["new_news"] == 1  # the unreadable news file written again
    assert _search() == before
