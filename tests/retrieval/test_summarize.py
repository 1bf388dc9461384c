"""Extractive summaries: relevant sentences, verbatim, de-duplicated, capped, within a span."""

from __future__ import annotations

import pytest

from retrieval.embeddings import HashingEmbedder
from retrieval.summarize import sentence_spans, summarize
from retrieval.types import Passage
from tests.retrieval._chunks import make_chunk

COMPETITION = (
    "The markets for the Company's products are highly competitive. The Company faces "
    "aggressive competition in all areas of its business. Net sales rose 12% in 2010.\n\n"
    "Employees\n\n"
    "The Company had 4,000 employees at year end. Competitors have cut prices to gain market "
    "share, and competition may intensify."
)


def _passage(text: str, *, rank: int = 1, doc: str = "d", injected: bool = False) -> Passage:
    chunk = make_chunk(text, doc_id=doc).model_copy(update={"injection_suspected": injected})
    return Passage(id=f"P-{chunk.id}", chunk=chunk, score=1.0, rank=rank, method="bm25")


def test_sentences_are_split_and_tables_and_headings_left_out() -> None:
    text = "First sentence here. Second one, Inc. is not an end.\n\nRow a   1   2\nRow b   3   4"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "First sentence here.",
        "Second one, Inc. is not an end.",
    ]


def test_the_most_relevant_sentences_come_first_verbatim_and_cited() -> None:
    p = _passage(COMPETITION)
    found = summarize("competition", [p], max_sentences=3)
    assert [s.order for s in found] == [1, 2, 3]
    assert all(s.passage_id == p.id for s in found)
    for s in found:  # verbatim: the span of the passage, whitespace collapsed
        assert " ".join(p.chunk.text[s.start : s.end].split()) == s.text
    # "competitors ... competition" (two matching terms) first; "competitive" matches too
    assert found[0].text.startswith("Competitors have cut prices")
    assert {s.text[:20] for s in found[1:]} == {"The markets for the ", "The Company faces ag"}
    assert "employees" not in " ".join(s.text for s in found)  # shares no term with the query
    assert found[0].score == 1.0


def test_repeated_sentences_from_overlapping_chunks_count_once() -> None:
    a = _passage("Competition is intense in every market we serve today.", rank=1)
    b = _passage("Competition is intense in every market we serve today. Prices fall.", rank=2)
    found = summarize("competition market", [a, b])
    assert [s.text for s in found] == ["Competition is intense in every market we serve today."]
    assert found[0].passage_id == a.id  # the better-ranked passage on a tie


def test_length_cap_span_and_injected_passages() -> None:
    long = "Competition " + "word " * 120 + "ends here."
    p = _passage(long + " Short competition sentence stands alone here.")
    assert [s.text for s in summarize("competition", [p], max_chars=200)] == [
        "Short competition sentence stands alone here."
    ]
    q = _passage(COMPETITION)
    start = COMPETITION.index("Competitors")
    inside = summarize("competition", [q], spans={q.id: (start, len(COMPETITION))})
    assert [s.text[:11] for s in inside] == ["Competitors"]
    assert summarize("competition", [_passage(COMPETITION, injected=True)]) == []


def test_an_embedder_adds_similarity_and_the_result_is_deterministic() -> None:
    p = _passage(COMPETITION)
    one = summarize("aggressive competition", [p], embedder=HashingEmbedder(64))
    assert one == summarize("aggressive competition", [p], embedder=HashingEmbedder(64))
    assert one[0].text.startswith("The Company faces aggressive competition")
    with pytest.raises(ValueError, match="max_sentences"):
        summarize("x", [p], max_sentences=0)


def test_boilerplate_every_filing_carries_is_ranked_after_what_the_company_says() -> None:
    text = (
        "The following Management's Discussion and Analysis is intended to help the reader "
        "understand the results of operations of the Company. Operating results improved as "
        "revenue from the Server and Tools business grew 9% on demand for the Company's "
        "database and server products."
    )
    found = summarize("management discussion analysis results operations", [_passage(text)])
    assert found[0].text.startswith("Operating results improved")
    assert found[-1].text.startswith("The following Management")  # still there, last


def test_a_fragment_cut_at_a_chunks_start_is_no_sentence() -> None:
    text = (
        "it that would materially adversely affect a portion of its business and results. "
        "The Company faces substantial inventory risk from fast product changes and volumes."
    )
    found = summarize("risk business inventory adversely affect", [_passage(text)])
    assert [s.text[:16] for s in found] == ["The Company face"]
