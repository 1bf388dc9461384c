"""Extractive summaries: the few sentences of retrieved passages that best answer a query.

Deterministic and verbatim: every summary sentence is a span of one passage's text (its
whitespace collapsed), so an answer quoting it quotes the filing, and its numbers are in the
passage it cites. Steps:

1. Candidates: the prose sentences of each passage (table lines, headings, page numbers and
   fragments under ``min_chars`` are not sentences), optionally only those inside a character
   span of the document (a subsection); passages flagged as instructions to a model are skipped.
2. Score: BM25 of the sentence against the query, the sentences being the collection (IDF over
   the candidates, k1=1.2, b=0.75; terms cut to six letters, a crude stemmer), divided by the
   best score; with an ``embedder`` (MiniLM in
   the product) the cosine similarity of sentence and query is averaged in, so a paraphrase
   with no shared word still counts. A sentence sharing no term with the query and, with an
   embedder, under ``min_cosine`` similarity is never chosen.
3. Choose best first (ties: the better-ranked passage, then the earlier sentence), skipping a
   sentence longer than ``max_chars`` or repeating one already chosen (overlapping chunks repeat
   sentences; word-set Jaccard >= ``max_overlap``), up to ``max_sentences``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.embeddings import Embedder
from retrieval.lexical import tokenize
from retrieval.types import Passage

__all__ = ["SummarySentence", "sentence_spans", "summarize"]

_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Inc|Co|Corp|Ltd|No|Nos|vs|etc|St|Jr|Sr|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|approx|Fig|Sec|U\.S|U\. S)|\b[A-Z]|\be\.g|\bi\.e)\.$"
)
_TABLE_LINE = re.compile(r"\S {3,}\S|\s\|\s|[\u2500-\u257f]{3,}")
# sentences every filing carries, that say nothing about the company: ranked last
_BOILERPLATE = re.compile(
    r"\bis\s+intended\s+to\s+(?:help|provide|assist)\b|\bshould\s+be\s+read\s+in\s+conjunction"
    r"|\bforward[-\s]looking\s+statements?\b|\bincorporated\s+(?:herein\s+)?by\s+reference\b"
    r"|\bthe\s+following\s+(?:discussion|table|information)\b|\bsee\s+note\s+\d"
    r"|\b(?:this|the)\s+(?:section|item)\s+(?:contains|includes|discusses)\b",
    re.IGNORECASE,
)
_STARTS_SENTENCE = re.compile(r"[\"'\u201c\u2018(\[]?[A-Z0-9$]")  # not "it that would ..."
_ENDS_SENTENCE = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_K1, _B = 1.2, 0.75
_STEM = 6


@dataclass(frozen=True)
class SummarySentence:
    """One chosen sentence: its text (verbatim, whitespace collapsed), the passage it is from,
    its offsets in that passage's text, its score in [0, 1] and its place in the summary."""

    text: str
    passage_id: str
    start: int
    end: int
    score: float
    order: int


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the prose sentences of ``text``: paragraphs split at sentence ends, table
    lines and lines that do not end a sentence inside a paragraph of table lines left out."""
    spans: list[tuple[int, int]] = []
    for para in _paragraphs(text):
        start, body = para
        if sum(bool(_TABLE_LINE.search(line)) for line in body.split("\n")) >= 2:
            continue  # a table, not prose
        begin = 0
        for m in _SENTENCE_END.finditer(body):
            if _ABBREVIATION.search(body[max(begin, m.start() - 6) : m.start() + 1]):
                continue
            spans.append((start + begin, start + m.end()))
            begin = m.end() + len(body[m.end() :]) - len(body[m.end() :].lstrip())
        if begin < len(body):
            spans.append((start + begin, start + len(body)))
    return spans


def _paragraphs(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for m in re.finditer(r"\n[ \t]*\n", text):
        out.append((pos, text[pos : m.start()]))
        pos = m.end()
    out.append((pos, text[pos:]))
    found = []
    for start, body in out:
        stripped = body.strip()
        if stripped:
            found.append((start + body.index(stripped[0]), stripped))
    return found


@dataclass(frozen=True)
class _Candidate:
    passage_rank: int
    passage_id: str
    start: int
    end: int
    text: str
    terms: tuple[str, ...]


def _candidates(
    passages: Sequence[Passage],
    *,
    min_chars: int,
    spans: Mapping[str, tuple[int, int]] | None,
) -> list[_Candidate]:
    found = []
    for p in passages:
        if p.chunk.injection_suspected:
            continue
        text = p.chunk.text
        window = spans.get(p.id) if spans is not None else None
        if spans is not None and window is None:
            continue
        for s, e in sentence_spans(text):
            if window is not None and not (window[0] <= s and e <= window[1]):
                continue
            flat = " ".join(text[s:e].split())
            if (
                len(flat) < min_chars
                or not _ENDS_SENTENCE.search(flat)
                or not _STARTS_SENTENCE.match(flat)
            ):
                continue  # headings, page numbers, fragments cut at a chunk's edge
            found.append(_Candidate(p.rank, p.id, s, e, flat, _terms(flat)))
    return found


def _terms(text: str) -> tuple[str, ...]:
    """BM25 terms cut to their first ``_STEM`` letters: a crude stemmer, so "competition",
    "competitive" and "competitors" match one another (and "margin" matches "margins")."""
    return tuple(t[:_STEM] if t.isalpha() else t for t in tokenize(text))


def _bm25(query: Sequence[str], docs: Sequence[Sequence[str]]) -> np.ndarray:
    n = len(docs)
    avg = sum(len(d) for d in docs) / n if n else 0.0
    df = Counter(t for d in docs for t in set(d))
    scores = np.zeros(n)
    for i, doc in enumerate(docs):
        tf = Counter(doc)
        norm = _K1 * (1 - _B + _B * len(doc) / avg) if avg else _K1
        for term in set(query):
            if tf[term]:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                scores[i] += idf * tf[term] * (_K1 + 1) / (tf[term] + norm)
    return scores


def summarize(
    query: str,
    passages: Sequence[Passage],
    *,
    max_sentences: int = 3,
    max_chars: int = 400,
    min_chars: int = 40,
    max_overlap: float = 0.6,
    min_cosine: float = 0.3,
    spans: Mapping[str, tuple[int, int]] | None = None,
    embedder: Embedder | None = None,
    max_candidates: int = 48,
) -> list[SummarySentence]:
    """Up to ``max_sentences`` sentences of ``passages`` most relevant to ``query``, best first.

    spans: passage id -> (start, end) offsets in that passage's text; when given, only
    sentences inside a passage's span are candidates (a subsection), and passages without a
    span are left out. Only the first ``max_candidates`` sentences (best-ranked passages first)
    are scored, which bounds the embedding cost. Returns [] when no sentence relates to the
    query."""
    if max_sentences < 1:
        raise ValueError(f"max_sentences must be positive, got {max_sentences}")
    ranked = sorted(passages, key=lambda p: p.rank)
    cands = _candidates(ranked, min_chars=min_chars, spans=spans)[:max_candidates]
    if not cands:
        return []
    lexical = _bm25(_terms(query), [c.terms for c in cands])
    relevant = lexical > 0
    score = lexical / lexical.max() if lexical.max() > 0 else lexical
    if embedder is not None:
        vectors = embedder.embed([query, *(c.text for c in cands)])
        cosine = np.clip(vectors[1:] @ vectors[0], 0.0, 1.0)
        relevant |= cosine >= min_cosine
        score = (score + cosine) / 2
    boiler = [bool(_BOILERPLATE.search(c.text)) for c in cands]  # relevant or not: last
    order = sorted(
        range(len(cands)), key=lambda i: (boiler[i], -score[i], cands[i].passage_rank, i)
    )
    chosen: list[SummarySentence] = []
    for i in order:
        c = cands[i]
        if len(chosen) == max_sentences:
            break
        if (
            not relevant[i]
            or len(c.text) > max_chars
            or any(_similar(c.text, s.text, max_overlap) for s in chosen)
        ):
            continue
        chosen.append(
            SummarySentence(
                text=c.text,
                passage_id=c.passage_id,
                start=c.start,
                end=c.end,
                score=round(float(score[i]), 4),
                order=len(chosen) + 1,
            )
        )
    return chosen


def _similar(a: str, b: str, threshold: float) -> bool:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return len(wa & wb) / max(1, len(wa | wb)) >= threshold
