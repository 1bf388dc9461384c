"""Index and corpus files survive truncation and garbage: detected on load, rebuilt or reported
empty with one warning, never a traceback; and a kill -9 during a BM25 save never breaks it."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from retrieval.corpus import Corpus
from retrieval.embeddings import HashingEmbedder
from retrieval.index import Index
from retrieval.lexical import BM25Index
from retrieval.types import Document, NewsItem
from tests.retrieval._chunks import make_chunk

ROOT = Path(__file__).resolve().parents[2]


def _chunks() -> list:
    texts = ["Revenue grew 12% on iPhone.", "Gross margin fell.", "Cloud revenue grew 40%."]
    return [
        make_chunk(t, doc_id=f"doc-{i}", available_on=date(2010, 1, 1)) for i, t in enumerate(texts)
    ]


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(np.random.default_rng(7).bytes(4096))


DAMAGE: dict[str, Callable[[Path], None]] = {"empty": _empty, "half": _half, "garbage": _garbage}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_bm25_chunks_file_is_reported_and_refilled_by_reingest(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    index = BM25Index(tmp_path)
    index.add(_chunks())
    index.save()
    DAMAGE[damage](tmp_path / "chunks.parquet")
    with caplog.at_level(logging.WARNING, logger="retrieval.lexical"):
        broken = BM25Index(tmp_path)
    assert len(broken) == 0 and broken.search("revenue", k=3) == []
    assert broken.problem is not None and "chunks.parquet is unreadable" in broken.problem
    (record,) = [r for r in caplog.records if r.name == "retrieval.lexical"]
    assert "signaldesk ingest" in record.getMessage()
    assert broken.add(_chunks()) == 3  # re-ingest
    broken.save()
    again = BM25Index(tmp_path)
    assert again.problem is None
    assert [c.doc_id for c, _ in again.search("revenue", k=3)] == ["doc-0", "doc-2"]


@pytest.mark.parametrize(
    "part", ["manifest.json", "bm25/params.index.json", "bm25/data.csc.index.npy"]
)
@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_bm25_matrices_or_manifest_are_rebuilt_from_the_tokens(
    tmp_path: Path, damage: str, part: str
) -> None:
    index = BM25Index(tmp_path)
    index.add(_chunks())
    index.save()
    before = index.search("revenue grew", k=3)
    DAMAGE[damage](tmp_path / part)
    assert BM25Index(tmp_path).search("revenue grew", k=3) == before


@pytest.mark.parametrize("damage", DAMAGE)
def test_index_rebuilds_a_damaged_bm25_side_from_the_vector_store(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    index = Index(tmp_path, embedder=HashingEmbedder(32))
    index.add(_chunks())
    before = index.search("revenue grew", k=3, mode="bm25")
    DAMAGE[damage](tmp_path / "bm25" / "chunks.parquet")
    with caplog.at_level(logging.WARNING):
        reopened = Index(tmp_path, embedder=HashingEmbedder(32))
    assert any("rebuilt from the 3 chunks" in r.getMessage() for r in caplog.records)
    found = reopened.search("revenue grew", k=3, mode="bm25")
    assert sorted(p.chunk.id for p in found) == sorted(p.chunk.id for p in before)
    assert reopened.stats().in_sync and BM25Index(tmp_path / "bm25").problem is None


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_index_json_is_written_again(tmp_path: Path, damage: str) -> None:
    Index(tmp_path, embedder=HashingEmbedder(32)).add(_chunks())
    DAMAGE[damage](tmp_path / "index.json")
    reopened = Index(tmp_path, embedder=HashingEmbedder(32))
    assert reopened.stats().vectors == 3
    assert '"embedder": "hashing-32"' in (tmp_path / "index.json").read_text()


def _call() -> Document:
    return Document(
        id="call-1",
        kind="call",
        ticker="AAPL",
        title="Q1 call",
        available_on=date(2010, 1, 20),
        source="x",
        text="We grew.",
    )


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("name", ["news.parquet", "calls.parquet"])
def test_a_damaged_corpus_file_reads_empty_with_a_warning_and_reingest_refills_it(
    tmp_path: Path, damage: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = Corpus(tmp_path)
    item = NewsItem(
        id="n1", published=date(2010, 1, 5), tickers=("AAPL",), title="Apple up", source="x"
    )
    corpus.add_news([item])
    corpus.add_calls([_call()])
    DAMAGE[damage](tmp_path / name)
    window = {"start": date(2010, 1, 1), "end": date(2010, 12, 31)}
    with caplog.at_level(logging.WARNING, logger="retrieval.corpus"):
        read = (
            corpus.news("AAPL", **window)
            if name == "news.parquet"
            else corpus.calls("AAPL", **window)
        )
    assert read == []
    assert any(name in r.getMessage() and "re-ingest" in r.getMessage() for r in caplog.records)
    assert corpus.add_news([item]) + corpus.add_calls([_call()]) == 1
    assert [n.id for n in corpus.news("AAPL", **window)] == ["n1"]
    assert [c.id for c in corpus.calls("AAPL", **window)] == ["call-1"]


_SAVER = textwrap.dedent(
    """
    import sys
    from datetime import date
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from retrieval.lexical import BM25Index
    from tests.retrieval._chunks import make_chunk

    words = [f"term{i}" for i in range(500)]
    index = BM25Index(Path(sys.argv[1]))
    n = len(index)
    print("ready", flush=True)
    while True:  # grow and save until killed
        batch = [
            make_chunk(" ".join(words[(n + j * 7 + k) % 500] for k in range(60)),
                       doc_id=f"doc-{n + j}", available_on=date(2010, 1, 1))
            for j in range(400)
        ]
        n += len(batch)
        index.add(batch)
        index.save()
    """
)


@pytest.mark.slow
def test_kill_9_while_saving_the_bm25_index_never_breaks_it(tmp_path: Path) -> None:
    rng = np.random.default_rng(23)
    directory = tmp_path / "bm25"
    counts = []
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(directory), str(ROOT)],
            stdout=subprocess.PIPE,
            cwd=ROOT,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(float(rng.uniform(0.3, 1.5)))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        index = BM25Index(directory)
        assert index.problem is None
        counts.append(len(index))
        ids = {c.id for c in index.chunks()}
        assert len(ids) == len(index) and len(index) % 400 == 0
        if len(index):
            last = index.chunks()[-1]
            (hit,) = index.search(last.text, k=1)
            assert hit[0].text == last.text
    assert counts == sorted(counts) and counts[-1] > 0
    left = [p for p in directory.iterdir() if p.name.endswith(".tmp")]
    for path in left:  # a killed save's leftovers, once they are an hour old
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    directory.joinpath(".chunks.parquet.inflight.tmp").write_bytes(b"another save's")
    index.save()  # clears the old leftovers, not a temporary file another save may be writing
    assert [p.name for p in directory.iterdir() if p.name.endswith(".tmp")] == [
        ".chunks.parquet.inflight.tmp"
    ]
