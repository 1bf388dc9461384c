"""What the chat shows: the signal card's props, citation panels and buttons, step text, the
answer text."""

from __future__ import annotations

from datetime import date

from agent.answer import Answer, Reason, SignalView
from tools.evidence import Evidence, Window
from ui.render import (
    answer_text,
    citation,
    citations,
    cited_evidence,
    signal_card,
    step_input,
    step_output,
)

AS_OF = date(2013, 2, 28)


def _filing(text: str, *, flagged: bool = False) -> Evidence:
    return Evidence.make(
        kind="filing",
        tickers=["IBM"],
        as_of=AS_OF,
        values={
            "passage_id": "p1",
            "text": text,
            "score": 0.5,
            "rank": 1,
            "method": "hybrid",
            "injection_suspected": flagged,
        },
        window=Window(end=date(2013, 2, 26)),
        source={
            "document": "doc-1",
            "form": "10-K",
            "fiscal_period": "FY2012",
            "section": "Item 1A",
            "section_title": "Risk Factors",
            "filed": "2013-02-26",
            "path": "/uploads/IBM_10-K.txt",
            "chars": [0, 10],
        },
        summary="IBM 10-K FY2012 Item 1A (available 2013-02-26): Demand for the Zephyr ...",
    )


def test_signal_card_props(ibm_evidence: dict[str, Evidence]) -> None:
    ev = ibm_evidence["signal"]
    view = SignalView.from_evidence(ev)
    props = signal_card(view, tickers=["IBM"], as_of=AS_OF)
    assert props["ticker"] == "IBM" and props["as_of"] == "2013-02-28"
    assert props["action"] == ev.values["action"]
    assert props["score"] == round(ev.values["score"], 3)
    assert props["confidence"] == round(ev.values["confidence"], 3)
    assert props["position_size"] == round(ev.values["position_size"], 4)
    assert props["evidence_id"] == ev.id
    parts = {p["name"]: p for p in props["components"]}
    assert set(parts) == {"technical", "sentiment", "ml"}
    assert parts["technical"]["score"] == round(ev.values["components"]["technical"]["score"], 3)
    assert parts["sentiment"]["score"] is None and parts["sentiment"]["reason"]


def test_citation_of_a_filing_passage() -> None:
    text = citation(_filing("Demand for the Zephyr mainframe line depends on Patagonia."))
    assert "### filing · IBM · as of 2013-02-28" in text
    assert "10-K · FY2012 · Item 1A" in text and "Risk Factors" in text
    assert "**Filed / published:** 2013-02-26" in text and "/uploads/IBM_10-K.txt" in text
    assert "**Data window:** up to 2013-02-26" in text
    assert "> Demand for the Zephyr mainframe line depends on Patagonia." in text
    assert "Flagged" not in text
    assert "Flagged: this passage reads like instructions" in citation(_filing("x", flagged=True))


def test_citation_of_computed_data(ibm_evidence: dict[str, Evidence]) -> None:
    ev = ibm_evidence["risk"]
    text = citation(ev)
    assert f"`{ev.id}`" in text and ev.summary in text
    assert "**Provider:** bundled" in text
    assert f"{ev.window.start} to {ev.window.end} ({ev.window.bars:,} bars)" in text
    assert '"method": "historical"' in text  # the values, as JSON


def test_cited_evidence_in_citation_order(ibm_evidence: dict[str, Evidence]) -> None:
    sig, risk, tech = ibm_evidence["signal"], ibm_evidence["risk"], ibm_evidence["technicals"]
    answer = Answer(
        question="Should I buy IBM?",
        tickers=["IBM"],
        as_of=AS_OF,
        signal=SignalView.from_evidence(sig),
        reasons=[Reason(text="Risky.", citations=[risk.id])],
        markdown=f"It is a hold [{risk.id}, {sig.id}].",
    )
    unused = _filing("not cited")
    assert cited_evidence(answer, [tech, risk, sig, unused]) == [sig, risk]


def test_citation_buttons_carry_each_citation_with_its_own_title(
    ibm_evidence: dict[str, Evidence],
) -> None:
    sig, risk = ibm_evidence["signal"], ibm_evidence["risk"]
    props = citations([sig, risk])
    assert [c["id"] for c in props["citations"]] == [sig.id, risk.id]
    for ev, shown in zip([sig, risk], props["citations"], strict=True):
        assert shown["markdown"] == citation(ev)  # the panel titled ev.id shows ev's own text
        assert shown["label"] == f"{ev.kind} · IBM · as of 2013-02-28"
    assert citations([]) == {"citations": []}


def test_answer_text_shows_citation_ids_as_code_and_warnings() -> None:
    answer = Answer(
        question="q",
        as_of=AS_OF,
        markdown="Close 200.83 [E-market-IBM-20130228-0000abcd, E-risk-IBM-20130228-1111abcd].",
        warnings=["removed '12.5%': not in the evidence"],
    )
    text = answer_text(answer)
    assert text.startswith(
        "Close 200.83 `E-market-IBM-20130228-0000abcd` `E-risk-IBM-20130228-1111abcd`."
    )
    assert "> **Verifier warnings**\n> - removed '12.5%': not in the evidence" in text
    plain = Answer(question="q", as_of=AS_OF, markdown="No citations here [sic].")
    assert answer_text(plain) == "No citations here [sic]."


def test_step_text_is_markdown_without_json_or_literal_underscores() -> None:
    assert step_input({"ticker": "IBM", "horizon_days": 10, "levels": [0.95, 0.99]}) == (
        "- `ticker`: IBM\n- `horizon_days`: `10`\n- `levels`: `[0.95, 0.99]`"
    )
    assert step_input({"query": "risk\n factors <b>x</b>"}) == "- `query`: risk factors ‹b›x‹/b›"
    assert step_input({}) == "No arguments."
    out = step_output(
        summary="[E-risk-IBM-1] IBM risk ...", evidence_ids=["E-risk-IBM-1"], ms=1234.4
    )
    assert out == "IBM risk ...\n\nTook 1,234 ms · evidence: `E-risk-IBM-1`"
    failed = step_output(summary="failed", evidence_ids=[], ms=None)
    assert failed == "failed\n\nTime not measured · evidence: none"
    for text in (out, failed):
        assert "_" not in text.replace("E-risk-IBM-1", "") and "```" not in text and "{" not in text
