"""The sentences of an offline filings answer: what the filing says, quoted, and its figures.

Everything written here comes from evidence: a filing's summary sentences
(``values["summary"]`` on the passage evidence they were taken from, see ``tools.documents``)
are quoted verbatim, each citing that passage, so every number quoted is in the cited
evidence's text; a figure's values are those of its "figure" evidence (``tools.figures``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tools.evidence import Evidence

__all__ = ["figure_lead", "filing_lead", "filing_summary"]

_NAMES = {
    "AAPL": "Apple",
    "MSFT": "Microsoft",
    "IBM": "IBM",
    "GOOG": "Google",
    "GOOGL": "Alphabet",
    "FB": "Facebook",
    "META": "Meta",
    "TSLA": "Tesla",
}
_FIGURE_WORDS = {
    "net_sales": "net sales",
    "net_income": "net income",
    "cost_of_sales": "cost of sales",
    "gross_margin": "gross margin",
    "operating_income": "operating income",
    "research_and_development": "research and development expense",
}


def _company(ev: Evidence) -> str:
    ticker = ev.tickers[0] if ev.tickers else ""
    return _NAMES.get(ticker, ticker) or "The company"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _document(ev: Evidence) -> str:
    """ "Apple's FY2012 10-K (filed 2012-10-31)" """
    s = ev.source
    what = " ".join(str(x) for x in (s.get("fiscal_period"), s.get("form") or "filing") if x)
    filed = f" (filed {s['filed']})" if s.get("filed") else ""
    return f"{_possessive(_company(ev))} {what}{filed}"


def _about(*, topic: str | None, section: str | None, ev: Evidence) -> str:
    if topic:
        return f"on {topic.strip()}"
    title = ev.source.get("section_title") or ""
    where = section or ev.source.get("section") or ""
    return f"in {where} ({title})" if where and title else f"in {where}" if where else ""


def _filings(evidence: list[Evidence]) -> list[Evidence]:
    return [
        ev for ev in evidence if ev.kind == "filing" and not ev.values.get("injection_suspected")
    ]


def _sentences(evidence: list[Evidence]) -> list[tuple[int, str, Evidence]]:
    """(order, sentence, evidence) of the summary of the first filing among ``evidence`` (the
    best-ranked one), in summary order."""
    filings = _filings(evidence)
    if not filings:
        return []
    document = filings[0].source.get("document")
    found: list[tuple[int, str, Evidence]] = []
    for ev in filings:
        if ev.source.get("document") != document:
            continue
        item: dict[str, Any]
        for item in ev.values.get("summary") or []:
            found.append((int(item["order"]), str(item["text"]), ev))
    return sorted(found, key=lambda t: t[0])


def filing_lead(
    evidence_list: list[Evidence], *, topic: str | None, section: str | None, as_of: date
) -> str:
    """The answer's first sentence: the filing, what it is about, and its most relevant sentence
    quoted with its citation; says so when no filing passage was found."""
    filings = _filings(evidence_list)
    if not filings:
        withheld = [e for e in evidence_list if e.kind == "filing"]
        if withheld:  # found, but every passage carries instructions aimed at an assistant
            top = withheld[0]
            about = _about(topic=topic, section=section, ev=top)
            return (
                f"{_document(top)} speaks {about or 'to the question'}, but the passage found "
                "is withheld: it contains instructions aimed at an AI assistant (a possible "
                f"prompt injection), so read it in the document itself [{top.id}]."
            ).replace("  ", " ")
        subject = f" on {topic.strip()}" if topic else ""
        return f"No filing passages{subject} were found in the filings available by {as_of}."
    about = _about(topic=topic, section=section, ev=filings[0])
    sentences = _sentences(evidence_list)
    if not sentences:
        top = filings[0]
        return (
            f"{_document(top)} has no sentence that speaks {about or 'to the question'}; the "
            f"closest passage is in {top.source.get('section') or 'the filing'} [{top.id}]."
        )
    _, text, ev = sentences[0]
    return f'{_document(ev)} says {about}: "{text}" [{ev.id}]'.replace("  ", " ")


def filing_summary(
    evidence_list: list[Evidence],
    *,
    topic: str | None = None,
    section: str | None = None,
    as_of: date | None = None,
) -> list[str]:
    """The summary's other sentences (after the one ``filing_lead`` quotes), each quoted and
    citing the passage it comes from. ``topic``, ``section`` and ``as_of`` are accepted so both
    functions take the same arguments; the sentences need none of them."""
    del topic, section, as_of
    return [f'It also says: "{text}" [{ev.id}]' for _, text, ev in _sentences(evidence_list)[1:]]


def figure_lead(ev: Evidence) -> str:
    """One sentence stating a figure evidence's values by fiscal year and the growth between
    them, with the filing it was read from and its citation."""
    v = ev.values
    what = _FIGURE_WORDS.get(str(v.get("figure")), str(v.get("label", "the figure")).lower())
    years = list((v.get("by_year") or {}).items())
    cells = " and ".join(f"{value:,.0f} in fiscal {year}" for year, value in years)
    growth = [(k, g) for k, g in (v.get("growth") or {}).items() if g is not None]
    change = "".join(
        f", a change of {g:+.2%} from fiscal {k.split('-')[0]} to {k.split('-')[1]}"
        for k, g in growth
    )
    return (
        f"{_possessive(_company(ev))} {what} ({v.get('unit', 'USD')}, as its "
        f"{v.get('form', '10-K')} filed {v.get('filed')} reports) was {cells}{change} [{ev.id}]."
    )
