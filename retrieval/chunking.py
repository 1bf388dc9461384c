"""Section-aware chunks with overlap, offsets into the document text, and de-duplication.

A document is cut along its sections (a document without sections is one section, "Body"); no
chunk ever spans two sections. Inside a section the text is split into units: sentences of
prose paragraphs (lines of tables, which are paragraphs whose lines carry `` | `` or column gaps),
and sentences longer than the overlap are cut further at word boundaries. Units are packed
greedily into chunks:

- a chunk ends after a paragraph once it holds ``min_tokens``, after a sentence once it holds
  ``target_tokens``, and never exceeds ``max_tokens`` (a sentence longer than
  ``overlap_tokens`` is cut into word groups of about that size, so a chunk can always end
  near its target, at a sentence end when one lies past ``min_tokens``);
- a section's remainder that fits in the current chunk (``max_tokens``) joins it;
- the next chunk repeats the last units of the one before, up to ``overlap_tokens``, starting
  at a sentence when one fits.

Tokens are counted by ``count_tokens`` when given (e.g. a real tokenizer's ``len(encode(t))``),
else estimated as 1.3 per whitespace-separated word, a common rule of thumb for English BPE
vocabularies; a chunk's count is the sum of its units'. ``chunk.text`` is always exactly
``document.text[chunk.char_start:chunk.char_end]``. The chunk id is ``content_hash`` of the
document id, section name and text, so re-chunking gives the same ids. A chunk whose text
(whitespace-normalised) was already produced, in this document or in one available earlier
(``chunk_documents``), is dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from core.ids import content_hash
from retrieval.hygiene import flag_injection
from retrieval.types import Chunk, Document, Section

TokenCounter = Callable[[str], int]

_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*(?=(\s+)[\"'\u201c\u2018(\[]?[A-Z0-9])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Inc|Co|Corp|Ltd|No|Nos|vs|etc|St|Jr|Sr|Jan|Feb|Mar|Apr|Jun|Jul|Aug|"
    r"Sep|Sept|Oct|Nov|Dec|approx|Fig|Sec)|\b[A-Z]|\be\.g|\bi\.e)\.$"
)
_WORD = re.compile(r"\S+")
_COLUMN_GAP = re.compile(r"\S {3,}\S")


def estimate_tokens(text: str) -> int:
    """About 1.3 tokens per whitespace-separated word, rounded up."""
    return math.ceil(1.3 * len(text.split()))


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    sentence_end: bool
    paragraph_end: bool


def chunk_document(
    doc: Document,
    *,
    target_tokens: int = 400,
    min_tokens: int = 300,
    max_tokens: int = 500,
    overlap_tokens: int = 50,
    count_tokens: TokenCounter | None = None,
) -> list[Chunk]:
    """Chunks of one document, de-duplicated within it."""
    return chunk_documents(
        [doc],
        target_tokens=target_tokens,
        min_tokens=min_tokens,
        max_tokens=max_tokens,
        overlap_tokens=overlap_tokens,
        count_tokens=count_tokens,
    )


def chunk_documents(
    docs: Iterable[Document],
    *,
    target_tokens: int = 400,
    min_tokens: int = 300,
    max_tokens: int = 500,
    overlap_tokens: int = 50,
    count_tokens: TokenCounter | None = None,
) -> list[Chunk]:
    """Chunks of several documents, earliest ``available_on`` first (ties in the given order).

    A chunk whose text was already produced is dropped; because documents are taken in order
    of availability, the copy kept is the one available first, so de-duplication never hides
    text from an as-of date at which it was already public (a 10-K/A repeating its 10-K)."""
    if not 0 < overlap_tokens < min_tokens <= target_tokens <= max_tokens:
        raise ValueError(
            "need 0 < overlap_tokens < min_tokens <= target_tokens <= max_tokens, got "
            f"{overlap_tokens}, {min_tokens}, {target_tokens}, {max_tokens}"
        )
    count = count_tokens or estimate_tokens
    seen: set[str] = set()
    chunks: list[Chunk] = []
    for doc in sorted(docs, key=lambda d: d.available_on):
        for section in _segments(doc):
            units = _units(doc.text, section.start, section.end, count, overlap_tokens)
            for first, last in _pack(units, target_tokens, min_tokens, max_tokens, overlap_tokens):
                start, end = units[first].start, units[last - 1].end
                text = doc.text[start:end]
                key = content_hash(text)
                if key in seen:
                    continue
                seen.add(key)
                chunks.append(_chunk(doc, section, start, end, text))
    return chunks


def _chunk(doc: Document, section: Section, start: int, end: int, text: str) -> Chunk:
    return Chunk(
        id=content_hash(f"{doc.id}\x1f{section.name}\x1f{text}"),
        doc_id=doc.id,
        kind=doc.kind,
        ticker=doc.ticker,
        form=doc.form,
        fiscal_period=doc.fiscal_period,
        available_on=doc.available_on,
        section=section.name,
        section_title=section.title,
        source=doc.source,
        char_start=start,
        char_end=end,
        text=text,
        injection_suspected=bool(flag_injection(text)),
    )


def _segments(doc: Document) -> list[Section]:
    """The document's sections in order, clipped so they never overlap; "Body" when none."""
    if not doc.sections:
        return [Section(name="Body", start=0, end=len(doc.text))]
    segments: list[Section] = []
    cursor = 0
    for section in sorted(doc.sections, key=lambda s: (s.start, s.end)):
        start, end = max(section.start, cursor), min(section.end, len(doc.text))
        if end > start:
            segments.append(section.model_copy(update={"start": start, "end": end}))
            cursor = end
    return segments


def _units(text: str, start: int, end: int, count: TokenCounter, cap: int) -> list[_Unit]:
    units: list[_Unit] = []
    for p_start, p_end in _paragraphs(text, start, end):
        body = text[p_start:p_end]
        lines = body.split("\n")
        tabular = sum(" | " in ln or bool(_COLUMN_GAP.search(ln)) for ln in lines) >= 2
        pieces = _lines(p_start, lines) if tabular else _sentences(p_start, body)
        for k, (s, e) in enumerate(pieces):
            last_piece = k == len(pieces) - 1
            units.extend(_split_long(text, s, e, count, cap, last_piece))
    return units


def _paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs of text[start:end], without surrounding whitespace."""
    spans, pos = [], start
    for sep in _BLANK_LINE.finditer(text, start, end):
        spans.append(_strip(text, pos, sep.start()))
        pos = sep.end()
    spans.append(_strip(text, pos, end))
    return [(s, e) for s, e in spans if e > s]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    segment = text[start:end]
    stripped = segment.strip()
    if not stripped:
        return start, start
    s = start + len(segment) - len(segment.lstrip())
    return s, s + len(stripped)


def _lines(offset: int, lines: list[str]) -> list[tuple[int, int]]:
    spans, pos = [], offset
    for line in lines:
        s, e = _strip(line, 0, len(line))
        if e > s:
            spans.append((pos + s, pos + e))
        pos += len(line) + 1
    return spans


def _sentences(offset: int, body: str) -> list[tuple[int, int]]:
    spans, begin = [], 0
    for m in _SENTENCE_END.finditer(body):
        if _ABBREVIATION.search(body[max(begin, m.start() - 6) : m.start() + 1]):
            continue
        spans.append((begin, m.end()))
        begin = m.end() + len(m[1])  # past the spaces after the sentence
    spans.append((begin, len(body)))
    return [(offset + s, offset + e) for s, e in spans if e > s]


def _split_long(
    text: str, start: int, end: int, count: TokenCounter, cap: int, paragraph_end: bool
) -> list[_Unit]:
    """One unit for a sentence (or table line), or word groups of at most ``cap`` tokens.

    The words are walked twice (counted, then grouped) rather than listed, so a sentence of
    tens of megabytes costs its groups' memory, not a match object per word."""
    tokens = count(text[start:end])
    if tokens <= cap:
        return [_Unit(start, end, tokens, True, paragraph_end)]
    n_words = sum(1 for _ in _WORD.finditer(text, start, end))
    per_group = max(1, int(n_words * cap / tokens))
    units = []
    for g, first, final in _groups(_WORD.finditer(text, start, end), per_group):
        s, e = first.start(), final.end()
        last = g + per_group >= n_words
        units.append(_Unit(s, e, count(text[s:e]), last, paragraph_end and last))
    return units


def _groups(
    words: Iterator[re.Match[str]], size: int
) -> Iterator[tuple[int, re.Match[str], re.Match[str]]]:
    """(index of the group's first word, first word, last word) of consecutive ``size`` words."""
    first: re.Match[str] | None = None
    final: re.Match[str] | None = None
    g = 0
    for k, word in enumerate(words):
        if k % size == 0:
            if first is not None and final is not None:
                yield g, first, final
            first, g = word, k
        final = word
    if first is not None and final is not None:
        yield g, first, final


def _pack(
    units: list[_Unit], target: int, minimum: int, maximum: int, overlap: int
) -> list[tuple[int, int]]:
    """(first, last-exclusive) unit ranges of the chunks, overlapping by up to ``overlap``."""
    spans: list[tuple[int, int]] = []
    first, n = 0, len(units)
    remaining = [0] * (n + 1)  # remaining[i]: tokens of units[i:]
    for i in range(n - 1, -1, -1):
        remaining[i] = remaining[i + 1] + units[i].tokens
    while first < n:
        total, end = 0, first
        while end < n and (end == first or total + units[end].tokens <= maximum):
            total += units[end].tokens
            end += 1
            done = units[end - 1]
            if (total >= minimum and done.paragraph_end) or (total >= target and done.sentence_end):
                break
        if end < n and not units[end - 1].sentence_end:
            end = _back_to_sentence(units, first, end, minimum)
        if end < n and remaining[first] <= maximum:
            end = n  # take a short tail in rather than leave it alone in a chunk of its own
        spans.append((first, end))
        if end >= n:
            break
        first = _overlap_start(units, first, end, overlap)
    return spans


def _back_to_sentence(units: list[_Unit], first: int, end: int, minimum: int) -> int:
    total = sum(u.tokens for u in units[first:end])
    for k in range(end - 1, first, -1):
        total -= units[k].tokens
        if units[k - 1].sentence_end and total >= minimum:
            return k
    return end


def _overlap_start(units: list[_Unit], first: int, end: int, overlap: int) -> int:
    """Earliest unit of the overlap, preferring one that starts a sentence."""
    budget, k, sentence_start = 0, end - 1, None
    while k > first and budget + units[k].tokens <= overlap:
        budget += units[k].tokens
        if units[k - 1].sentence_end:
            sentence_start = k
        k -= 1
    if sentence_start is not None:
        return sentence_start
    return k + 1 if k + 1 < end else end
