"""BM25: tokenizer, Lucene BM25 scores on a hand-built corpus, filters, persistence."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest

from retrieval.lexical import BM25Index, tokenize
from retrieval.store import Filters
from tests.retrieval._chunks import make_chunk

TEXTS = {
    "rev": "Revenue grew 12% on strong iPhone revenue.",
    "margin": "Gross margin fell as component costs rose.",
    "cloud": "Cloud revenue grew 40% and margins improved.",
    "risk": "Supply chain disruption is a risk factor.",
    "div": "The board raised the dividend.",
}


def corpus() -> list:
    return [
        make_chunk(
            text,
            doc_id=f"doc-{name}",
            ticker="MSFT" if name == "cloud" else "AAPL",
            available_on=date(2012, 1, 1) if name == "rev" else date(2010, 1, 1),
        )
        for name, text in TEXTS.items()
    ]


def lucene_bm25(query: str, docs: list[list[str]], target: int, k1=1.5, b=0.75) -> float:
    """Reference BM25 as Lucene (>= 8) scores it, written out from the formula:
    sum over query terms of ln(1 + (N - df + 0.5) / (df + 0.5)) * tf / (tf + k1 * (1 - b + b * dl
    / avgdl)); Lucene dropped the constant (k1 + 1) factor of the textbook numerator."""
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    doc, score = docs[target], 0.0
    for term in tokenize(query):
        df = sum(term in d for d in docs)
        tf = doc.count(term)
        if tf:
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))
    return score


def test_tokenizer_rules() -> None:
    assert tokenize("Net sales of $1,496.5 million in FY2019 (10-K) weren't up.") == [
        "net", "sales", "1496.5", "million", "fy2019", "10", "weren", "up",
    ]  # fmt: skip
    assert tokenize("The and of") == []
    assert tokenize("Not below 3.5%") == ["not", "below", "3.5"]


def test_ranking_and_scores_follow_bm25() -> None:
    index = BM25Index()
    chunks = corpus()
    assert index.add(chunks) == 5
    hits = index.search("revenue grew", k=5)
    assert [c.doc_id for c, _ in hits] == ["doc-rev", "doc-cloud"]  # others share no term
    docs = [tokenize(c.text) for c in chunks]
    for chunk, score in hits:
        expected = lucene_bm25("revenue grew", docs, chunks.index(chunk))
        assert score == pytest.approx(expected, rel=1e-5)
    assert index.search("dividend board", k=1)[0][0].doc_id == "doc-div"
    assert index.search("unmatched words only", k=3) == []
    assert index.search("", k=3) == []


def test_filters_rank_within_the_subset() -> None:
    index = BM25Index()
    index.add(corpus())
    msft = index.search("revenue", k=5, filters=Filters(tickers=("MSFT",)))
    assert [c.doc_id for c, _ in msft] == ["doc-cloud"]
    as_of = index.search("revenue grew", k=5, filters=Filters(available_on_max=date(2011, 12, 31)))
    assert [c.doc_id for c, _ in as_of] == ["doc-cloud"]  # doc-rev is dated 2012
    # the score of a chunk does not depend on the filter (corpus-wide statistics)
    unfiltered = dict((c.id, s) for c, s in index.search("revenue grew", k=5))
    assert as_of[0][1] == pytest.approx(unfiltered[as_of[0][0].id])


def test_k_results_under_a_selective_filter() -> None:
    index = BM25Index()
    chunks = [
        make_chunk(f"revenue note {i}", doc_id=f"d{i}", ticker="IBM" if i % 10 == 0 else "AAPL")
        for i in range(100)
    ]
    index.add(chunks)
    hits = index.search("revenue", k=5, filters=Filters(tickers=("IBM",)))
    assert len(hits) == 5 and {c.ticker for c, _ in hits} == {"IBM"}


def test_add_is_idempotent_and_delete_removes_a_document() -> None:
    index = BM25Index()
    chunks = corpus()
    index.add(chunks)
    assert index.add(chunks) == 0 and len(index) == 5
    assert chunks[0].id in index and index.get(chunks[0].id) == chunks[0]
    assert index.delete("doc-rev") == 1 and index.delete("doc-rev") == 0
    assert [c.doc_id for c, _ in index.search("revenue", k=5)] == ["doc-cloud"]


def test_persists_and_reloads(tmp_path: Path) -> None:
    index = BM25Index(tmp_path / "bm25")
    index.add(corpus())
    index.save()
    before = index.search("revenue margins", k=5)
    again = BM25Index(tmp_path / "bm25")
    assert again.search("revenue margins", k=5) == before
    assert again.chunks() == index.chunks()
    # a stale manifest makes the matrices rebuild from the stored tokens, same answers
    manifest = tmp_path / "bm25" / "manifest.json"
    manifest.write_text(json.dumps({"digest": "stale"}))
    assert BM25Index(tmp_path / "bm25").search("revenue margins", k=5) == before
    with pytest.raises(ValueError, match="no directory"):
        BM25Index().save()
