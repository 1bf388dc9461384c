"""Retrieval: sources -> documents -> sections -> chunks, with injection hygiene.

The names below are re-exported lazily (PEP 562): ``import retrieval.types`` or
``from retrieval import Document`` does not import the readers' dependencies (httpx, lxml,
BeautifulSoup, pypdf) until a name that needs them is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.lazy import lazy_exports

if TYPE_CHECKING:
    from core.ids import content_hash
    from retrieval.chunking import (
        chunk_document,
        chunk_documents,
        estimate_tokens,
    )
    from retrieval.hygiene import (
        flag_injection,
        quote_passage,
    )
    from retrieval.parsing import (
        Period,
        detect_period,
        fiscal_quarter_label,
        fiscal_year_label,
        parse_sections,
    )
    from retrieval.sources.common import (
        MalformedFileError,
        SkippedFile,
    )
    from retrieval.sources.edgar_online import (
        EdgarClient,
        EdgarError,
        EdgarRequestError,
        EdgarUnavailableError,
        FilingRef,
        MissingUserAgentError,
        UnknownTickerError,
    )
    from retrieval.sources.edgar_raw import (
        DocumentBlock,
        Submission,
        SubmissionHeader,
        load_submissions,
        parse_submission,
        read_submission,
    )
    from retrieval.sources.folder import (
        FolderLoad,
        load_folder,
        read_document,
    )
    from retrieval.sources.news import (
        NewsLoad,
        news_document,
        read_news,
        read_reuters_jsonl,
    )
    from retrieval.sources.transcripts import (
        CallDate,
        call_date,
        estimated_call_date,
        load_transcripts,
        read_transcript,
    )
    from retrieval.types import (
        Chunk,
        DocKind,
        Document,
        NewsItem,
        Passage,
        Section,
    )

_EXPORTS: dict[str, str] = {
    "CallDate": "retrieval.sources.transcripts",
    "Chunk": "retrieval.types",
    "DocKind": "retrieval.types",
    "Document": "retrieval.types",
    "DocumentBlock": "retrieval.sources.edgar_raw",
    "EdgarClient": "retrieval.sources.edgar_online",
    "EdgarError": "retrieval.sources.edgar_online",
    "EdgarRequestError": "retrieval.sources.edgar_online",
    "EdgarUnavailableError": "retrieval.sources.edgar_online",
    "FilingRef": "retrieval.sources.edgar_online",
    "FolderLoad": "retrieval.sources.folder",
    "MalformedFileError": "retrieval.sources.common",
    "MissingUserAgentError": "retrieval.sources.edgar_online",
    "NewsItem": "retrieval.types",
    "NewsLoad": "retrieval.sources.news",
    "Passage": "retrieval.types",
    "Period": "retrieval.parsing",
    "Section": "retrieval.types",
    "SkippedFile": "retrieval.sources.common",
    "Submission": "retrieval.sources.edgar_raw",
    "SubmissionHeader": "retrieval.sources.edgar_raw",
    "UnknownTickerError": "retrieval.sources.edgar_online",
    "call_date": "retrieval.sources.transcripts",
    "chunk_document": "retrieval.chunking",
    "chunk_documents": "retrieval.chunking",
    "content_hash": "core.ids",
    "detect_period": "retrieval.parsing",
    "estimate_tokens": "retrieval.chunking",
    "estimated_call_date": "retrieval.sources.transcripts",
    "fiscal_quarter_label": "retrieval.parsing",
    "fiscal_year_label": "retrieval.parsing",
    "flag_injection": "retrieval.hygiene",
    "load_folder": "retrieval.sources.folder",
    "load_submissions": "retrieval.sources.edgar_raw",
    "load_transcripts": "retrieval.sources.transcripts",
    "news_document": "retrieval.sources.news",
    "parse_sections": "retrieval.parsing",
    "parse_submission": "retrieval.sources.edgar_raw",
    "quote_passage": "retrieval.hygiene",
    "read_document": "retrieval.sources.folder",
    "read_news": "retrieval.sources.news",
    "read_reuters_jsonl": "retrieval.sources.news",
    "read_submission": "retrieval.sources.edgar_raw",
    "read_transcript": "retrieval.sources.transcripts",
}

__all__ = [
    "CallDate",
    "Chunk",
    "DocKind",
    "Document",
    "DocumentBlock",
    "EdgarClient",
    "EdgarError",
    "EdgarRequestError",
    "EdgarUnavailableError",
    "FilingRef",
    "FolderLoad",
    "MalformedFileError",
    "MissingUserAgentError",
    "NewsItem",
    "NewsLoad",
    "Passage",
    "Period",
    "Section",
    "SkippedFile",
    "Submission",
    "SubmissionHeader",
    "UnknownTickerError",
    "call_date",
    "chunk_document",
    "chunk_documents",
    "content_hash",
    "detect_period",
    "estimate_tokens",
    "estimated_call_date",
    "fiscal_quarter_label",
    "fiscal_year_label",
    "flag_injection",
    "load_folder",
    "load_submissions",
    "load_transcripts",
    "news_document",
    "parse_sections",
    "parse_submission",
    "quote_passage",
    "read_document",
    "read_news",
    "read_reuters_jsonl",
    "read_submission",
    "read_transcript",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
