"""SEC EDGAR online: ticker -> CIK -> filing index -> primary documents, as ``Document``s.

Plain ``httpx`` against three endpoints (base URLs configurable, for mirrors and tests):

- ``{www}/files/company_tickers.json``: ticker -> CIK;
- ``{data}/submissions/CIK##########.json``: the filing index (``filings.recent``, plus the
  older pages listed in ``filings.files`` when ``since`` reaches back before them);
- ``{www}/Archives/edgar/data/<cik>/<accession without dashes>/<primaryDocument>``.

The SEC's fair-access rules require a declared User-Agent (name and e-mail) and at most 10
requests per second: the constructor refuses an empty ``user_agent``, every request (retries
included, cache hits excluded) waits for the rate limiter, and 429/5xx answers, timeouts and
connection errors are retried with exponential backoff (``Retry-After`` honoured, up to 60 s).
Responses are cached on disk: documents forever (an accession never changes), the two index
files for ``index_max_age_s`` (a day by default).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from retrieval.parsing import fiscal_quarter_label, fiscal_year_label, parse_sections
from retrieval.sources._html import dei_fiscal_period, html_to_text
from retrieval.sources._http import DiskCache, RateLimiter
from retrieval.sources.common import MalformedFileError, SkippedFile, decode_text, skip
from retrieval.types import Document

log = logging.getLogger(__name__)
_MONTHS = {f"{m:02d}" for m in range(1, 13)}  # fiscalYearEnd is MMDD


class EdgarError(Exception):
    """Base class of EDGAR client errors; ``str(err)`` is a one-line message."""


class MissingUserAgentError(EdgarError, ValueError):
    """No User-Agent was declared; the SEC blocks anonymous clients."""


class UnknownTickerError(EdgarError, LookupError):
    """The ticker is not in the SEC's company_tickers.json (the caller must fix the input)."""


class EdgarRequestError(EdgarError):
    """The SEC refused a request for good (403, 404, ...); retrying will not help."""


class EdgarUnavailableError(EdgarError):
    """EDGAR kept failing (429, 5xx, timeouts) after every retry; try again later."""


class _Transient(Exception):
    def __init__(self, message: str, retry_after_s: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class FilingRef:
    """One row of a company's filing index."""

    cik: str
    accession: str
    form: str
    filed: date
    report_date: date | None
    primary_document: str
    description: str


class EdgarClient:
    """SEC EDGAR client: rate-limited, retried, cached. Use as a context manager or ``close()``."""

    def __init__(
        self,
        user_agent: str,
        *,
        cache_dir: Path | str,
        www_url: str = "https://www.sec.gov",
        data_url: str = "https://data.sec.gov",
        rate_per_s: float = 10.0,
        attempts: int = 4,
        backoff_s: float = 1.0,
        timeout_s: float = 30.0,
        index_max_age_s: float = 86400.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not user_agent or not user_agent.strip():
            raise MissingUserAgentError(
                "EDGAR needs a declared User-Agent with a name and a contact e-mail, "
                "e.g. EdgarClient('SignalDesk research jane@example.com', ...)"
            )
        self.www_url = www_url.rstrip("/")
        self.data_url = data_url.rstrip("/")
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.index_max_age_s = index_max_age_s
        self.limiter = RateLimiter(rate_per_s, clock=clock, sleep=sleep)
        self.cache = DiskCache(cache_dir, now=now)
        self.skipped: list[SkippedFile] = []
        self._sleep = sleep
        self._http = httpx.Client(
            headers={"User-Agent": user_agent.strip(), "Accept-Encoding": "gzip, deflate"},
            timeout=timeout_s,
            transport=transport,
            follow_redirects=True,
        )

    def __enter__(self) -> EdgarClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ---- index -------------------------------------------------------------------------------

    def cik(self, ticker: str) -> str:
        """The 10-digit CIK of ``ticker`` (BRK.B and BRK-B alike); UnknownTickerError if none."""
        wanted = ticker.strip().upper().replace(".", "-")
        table = self._json(f"{self.www_url}/files/company_tickers.json", index=True)
        rows = table.values() if isinstance(table, dict) else table
        for row in rows:
            if str(row.get("ticker", "")).upper().replace(".", "-") == wanted:
                return f"{int(row['cik_str']):010d}"
        raise UnknownTickerError(
            f"unknown ticker {ticker!r}: not in the SEC's company_tickers.json "
            "(check the symbol; delisted companies are not listed)"
        )

    def filings(
        self, ticker: str, *, forms: Iterable[str] = ("10-K", "10-Q"), since: date | None = None
    ) -> list[FilingRef]:
        """The ticker's filings of ``forms`` filed on or after ``since``, newest first.

        Forms match exactly: ask for "10-K/A" to get amendments too."""
        return self._index(ticker, forms, since)[1]

    def fetch_filings(
        self, ticker: str, *, forms: Iterable[str] = ("10-K", "10-Q"), since: date | None = None
    ) -> list[Document]:
        """Primary documents of the ticker's filings of ``forms`` since ``since``, newest first.

        A document without text is skipped (see ``self.skipped``); network failures raise."""
        record, refs = self._index(ticker, forms, since)
        company = str(record.get("name") or "")
        fye = str(record.get("fiscalYearEnd") or "")
        docs = []
        for ref in refs:
            url = self.document_url(ref)
            body = self._get(url, max_age_s=None)
            try:
                docs.append(
                    _document(ref, body, url, ticker=ticker.upper(), company=company, fye=fye)
                )
            except MalformedFileError as err:
                skip(self.skipped, url, str(err))
        return docs

    def _index(
        self, ticker: str, forms: Iterable[str], since: date | None
    ) -> tuple[dict, list[FilingRef]]:
        cik = self.cik(ticker)
        record = self._json(f"{self.data_url}/submissions/CIK{cik}.json", index=True)
        filings = record.get("filings", {})
        pages = [filings.get("recent", {})]
        for page in filings.get("files", []):
            if since is None or date.fromisoformat(page.get("filingTo", "9999-12-31")) >= since:
                pages.append(self._json(f"{self.data_url}/submissions/{page['name']}", index=True))
        wanted = {forms.upper()} if isinstance(forms, str) else {f.upper() for f in forms}
        refs = [
            ref
            for page in pages
            for ref in _rows(cik, page)
            if ref.form.upper() in wanted and (since is None or ref.filed >= since)
        ]
        return record, sorted(refs, key=lambda r: (r.filed, r.accession), reverse=True)

    def document_url(self, ref: FilingRef) -> str:
        folder = ref.accession.replace("-", "")
        return f"{self.www_url}/Archives/edgar/data/{int(ref.cik)}/{folder}/{ref.primary_document}"

    # ---- HTTP --------------------------------------------------------------------------------

    def _json(self, url: str, *, index: bool) -> dict:
        body = self._get(url, max_age_s=self.index_max_age_s if index else None)
        try:
            return json.loads(body)
        except json.JSONDecodeError as err:
            raise EdgarRequestError(f"{url} did not return JSON: {err.msg}") from err

    def _get(self, url: str, *, max_age_s: float | None) -> bytes:
        cached = self.cache.get(url, max_age_s=max_age_s)
        if cached is not None:
            return cached
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            body = retrying(self._request, url)
        except _Transient as err:
            raise EdgarUnavailableError(
                f"EDGAR unavailable after {self.attempts} attempts: {err}"
            ) from err
        self.cache.put(url, body)
        return body

    def _wait(self, state: RetryCallState) -> float:
        delay = self.backoff_s * 2 ** (state.attempt_number - 1)
        err = state.outcome.exception() if state.outcome else None
        if isinstance(err, _Transient):
            delay = max(delay, err.retry_after_s)
        log.warning("EDGAR request failed (%s); retrying in %.1f s", err, min(delay, 60.0))
        return min(delay, 60.0)

    def _request(self, url: str) -> bytes:
        self.limiter.acquire()
        try:
            response = self._http.get(url)
        except (httpx.TimeoutException, httpx.TransportError) as err:
            raise _Transient(f"{type(err).__name__} on {url}") from err
        if response.status_code == 429 or response.status_code >= 500:
            raise _Transient(
                f"HTTP {response.status_code} on {url}", _retry_after(response.headers)
            )
        if response.status_code >= 400:
            hint = (
                " (the SEC blocks requests without a proper User-Agent)"
                if response.status_code == 403
                else ""
            )
            raise EdgarRequestError(f"HTTP {response.status_code} on {url}{hint}")
        return response.content


def _retry_after(headers: httpx.Headers) -> float:
    value = headers.get("Retry-After", "")
    return float(value) if value.replace(".", "", 1).isdigit() else 0.0


def _rows(cik: str, page: dict) -> list[FilingRef]:
    columns = ("accessionNumber", "form", "filingDate", "reportDate", "primaryDocument")
    if not all(isinstance(page.get(c), list) for c in columns):
        return []
    descriptions = page.get("primaryDocDescription") or [""] * len(page["accessionNumber"])
    rows = zip(*(page[c] for c in columns), descriptions, strict=False)
    return [
        FilingRef(
            cik=cik,
            accession=acc,
            form=form,
            filed=date.fromisoformat(filed),
            report_date=date.fromisoformat(report) if report else None,
            primary_document=primary,
            description=description or "",
        )
        for acc, form, filed, report, primary, description in rows
        if primary
    ]


def _document(
    ref: FilingRef, body: bytes, url: str, *, ticker: str, company: str, fye: str
) -> Document:
    if ref.primary_document.lower().endswith((".htm", ".html", ".xhtml")):
        html = html_to_text(body)
        text, facts = html.text, html.facts
    else:
        text, facts = decode_text(body), {}
    period = None
    if ref.report_date and ref.form.upper().startswith("10-K"):
        period = fiscal_year_label(ref.report_date)
    elif ref.report_date and ref.form.upper().startswith("10-Q") and fye[:2] in _MONTHS:
        period = fiscal_quarter_label(ref.report_date, fiscal_year_end_month=int(fye[:2]))
    return Document(
        id=ref.accession,
        kind="filing",
        ticker=ticker,
        company=company or None,
        cik=ref.cik,
        form=ref.form,
        title=" ".join(p for p in (company, ref.form, ref.description) if p),
        fiscal_period=dei_fiscal_period(facts) or period,
        period_end=ref.report_date,
        available_on=ref.filed,
        source=url,
        text=text,
        sections=parse_sections(text, form=ref.form),
    )
