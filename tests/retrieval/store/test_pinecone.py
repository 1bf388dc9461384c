"""PineconeStore through the real SDK against a fake data plane on 127.0.0.1 (no network)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from pinecone.errors import UnauthorizedError

from retrieval.store import Filters, PineconeStore, pinecone_filter
from retrieval.store.pinecone import METADATA_LIMIT_BYTES, chunk_metadata
from retrieval.types import Chunk
from tests.retrieval._chunks import make_chunk, unit_rows
from tests.retrieval.store._fake_pinecone import FakePinecone, matches

DIM = 8


@dataclass
class Served:
    fake: FakePinecone
    url: str
    store: PineconeStore


@pytest.fixture
def served() -> Iterator[Served]:
    fake = FakePinecone(dim=DIM)
    server, url = fake.serve()
    store = PineconeStore(dim=DIM, api_key="test-key", host=url, namespace="filings")
    try:
        yield Served(fake, url, store)
    finally:
        server.shutdown()
        server.server_close()


def dated_chunks() -> list[Chunk]:
    return [
        make_chunk(
            f"note {i}",
            doc_id=f"doc-{i % 4}",
            ticker=("AAPL", "MSFT", None)[i % 3],
            form=("10-K", "10-Q")[i % 2] if i % 3 != 2 else None,
            kind="filing" if i % 3 != 2 else "news",
            available_on=date(2008 + i % 6, 6, 30),
        )
        for i in range(24)
    ]


def test_filter_translation_uses_in_and_integer_dates() -> None:
    f = Filters(
        tickers=("AAPL", "MSFT"),
        sections=("Item 7",),
        available_on_min=date(2009, 1, 1),
        available_on_max=date(2010, 12, 31),
    )
    assert pinecone_filter(f) == {
        "$and": [
            {"ticker": {"$in": ["AAPL", "MSFT"]}},
            {"section": {"$in": ["Item 7"]}},
            {"available_on": {"$gte": 20090101}},
            {"available_on": {"$lte": 20101231}},
        ]
    }
    assert pinecone_filter(Filters(forms=("10-K",))) == {"form": {"$in": ["10-K"]}}
    assert pinecone_filter(Filters()) is None


def test_metadata_has_no_nulls_and_an_integer_date() -> None:
    news = make_chunk("Apple shares rose.", ticker=None, form=None, kind="news", fiscal_period=None)
    assert chunk_metadata(news) == {
        "doc_id": "doc-1",
        "kind": "news",
        "available_on": 20101027,
        "section": "Item 7",
        "section_title": "Management's Discussion",
        "source": "file:///filings/doc-1.txt",
        "char_start": 0,
        "char_end": 18,
        "injection_suspected": False,
        "text_truncated": False,
        "text": "Apple shares rose.",
    }


def test_upsert_payload(served: Served) -> None:
    chunk = make_chunk("Net sales rose 52%.")
    vector = unit_rows(1, DIM, seed=4)
    assert served.store.upsert([chunk], vector) == 1
    (request,) = [r for r in served.fake.requests if r.path == "/vectors/upsert"]
    assert request.method == "POST" and request.headers["api-key"] == "test-key"
    assert request.body["namespace"] == "filings"
    (record,) = request.body["vectors"]
    assert record["id"] == chunk.id
    np.testing.assert_allclose(record["values"], vector[0], rtol=1e-6)
    assert record["metadata"] == {**chunk_metadata(chunk), "ticker": "AAPL", "form": "10-K"}
    assert record["metadata"]["fiscal_period"] == "FY2010"


def test_upsert_batches_and_is_idempotent(served: Served) -> None:
    served.store.batch_size = 10
    chunks = dated_chunks()
    vectors = unit_rows(len(chunks), DIM)
    served.store.upsert(chunks, vectors)
    served.store.upsert(chunks, vectors)
    sizes = [len(body["vectors"]) for body in served.fake.bodies("/vectors/upsert")]
    assert sizes == [10, 10, 4, 10, 10, 4]
    assert served.store.count() == len(chunks)


def test_query_payload_and_roundtrip(served: Served) -> None:
    chunks = dated_chunks()
    vectors = unit_rows(len(chunks), DIM)
    served.store.upsert(chunks, vectors)
    f = Filters(tickers=("MSFT",), available_on_max=date(2011, 6, 30))
    hits = served.store.query(vectors[1], k=3, filters=f)
    (body,) = served.fake.bodies("/query")
    assert body == {
        "topK": 3,
        "includeValues": False,
        "includeMetadata": True,
        "namespace": "filings",
        "vector": pytest.approx(vectors[1].tolist(), rel=1e-6),
        "filter": {"$and": [{"ticker": {"$in": ["MSFT"]}}, {"available_on": {"$lte": 20110630}}]},
    }
    # the service returns numbers as floats; chunks come back equal to what was stored
    assert hits[0][0] == chunks[1] and hits[0][1] == pytest.approx(1.0)
    assert all(f.matches(c) for c, _ in hits) and len(hits) == 3


def test_point_in_time_and_selective_filters(served: Served) -> None:
    chunks = dated_chunks()
    vectors = unit_rows(len(chunks), DIM, seed=9)
    served.store.upsert(chunks, vectors)
    as_of = date(2010, 6, 30)
    hits = served.store.query(vectors[-1], k=50, filters=Filters(available_on_max=as_of))
    assert {c.id for c, _ in hits} == {c.id for c in chunks if c.available_on <= as_of}
    news = Filters(kinds=("news",), available_on_min=date(2012, 1, 1))
    expected = {c.id for c in chunks if news.matches(c)}
    assert len(expected) == 4
    two = served.store.query(vectors[0], k=2, filters=news)
    assert len(two) == 2 and {c.id for c, _ in two} <= expected
    assert {c.id for c, _ in served.store.query(vectors[0], k=10, filters=news)} == expected


def test_fake_rejects_what_pinecone_rejects() -> None:
    with pytest.raises(Exception, match="numbers only"):
        matches({}, {"available_on": {"$lte": "2010-12-31"}})
    assert matches(
        {"ticker": "AAPL", "available_on": 20100101.0},
        pinecone_filter(Filters(tickers=("AAPL",), available_on_max=date(2010, 1, 1))),
    )
    assert not matches({"available_on": 20100101.0}, {"ticker": {"$in": ["AAPL"]}})


def test_long_text_is_truncated_to_fit_the_metadata_limit(served: Served) -> None:
    long = make_chunk("é" * 30_000 + " tail")  # 60,005 bytes of UTF-8
    served.store.upsert([long], unit_rows(1, DIM))
    (record,) = served.fake.bodies("/vectors/upsert")[0]["vectors"]
    meta = record["metadata"]
    assert meta["text_truncated"] is True
    assert len(meta["text"].encode("utf-8")) <= 30_000 and meta["text"] == "é" * 15_000
    (stored,) = served.store.get([long.id])
    assert stored.text == "é" * 15_000 and stored.char_end == long.char_end  # pointer kept
    meta_small = chunk_metadata(long, text_limit_bytes=METADATA_LIMIT_BYTES * 2)
    assert len(str(meta_small).encode("utf-8")) < METADATA_LIMIT_BYTES


def test_delete_by_document_and_get(served: Served) -> None:
    chunks = dated_chunks()
    served.store.upsert(chunks, unit_rows(len(chunks), DIM))
    served.store.delete("doc-2")
    assert served.fake.bodies("/vectors/delete") == [
        {"namespace": "filings", "filter": {"doc_id": {"$eq": "doc-2"}}}
    ]
    assert served.store.count() == len(chunks) - 6
    wanted = [chunks[3].id, chunks[2].id, "nope", chunks[1].id]
    assert served.store.get(wanted) == [chunks[3], chunks[1]]  # doc-2 is gone, order kept
    fetch = [r for r in served.fake.requests if r.path == "/vectors/fetch"][0]
    assert fetch.method == "GET" and fetch.body["namespace"] == ["filings"]


def test_namespaces_are_separate_and_bad_keys_fail(served: Served) -> None:
    other = PineconeStore(dim=DIM, api_key="test-key", host=served.url)  # default namespace
    served.store.upsert([make_chunk("a")], unit_rows(1, DIM))
    assert other.count() == 0 and served.store.count() == 1
    with pytest.raises(UnauthorizedError):
        PineconeStore(dim=DIM, api_key="wrong", host=served.url).count()
    with pytest.raises(ValueError, match="index_name or host"):
        PineconeStore(dim=DIM, api_key="test-key")
