from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from agent.answer import Answer, DataWindow, Reason, SignalView, citation_ids
from quant.signals.action import Action
from tools.evidence import Evidence, Window

AS_OF = date(2013, 2, 28)


def signal_evidence() -> Evidence:
    """Shaped like ``tools.signal.signal_evidence``: technical and ML used, sentiment absent."""
    part = {"available": True, "details": {}, "reason": ""}
    return Evidence.make(
        kind="signal",
        tickers=["MSFT"],
        as_of=AS_OF,
        values={
            "as_of": AS_OF,
            "score": 0.5714285714,
            "action": "BUY",
            "confidence": 0.1224,
            "position_size": 0.0061,
            "weights": {"technical": 4 / 7, "sentiment": 0.0, "ml": 3 / 7},
            "components": {
                "technical": part | {"score": 0.55, "weight": 4 / 7},
                "sentiment": {
                    "score": None,
                    "available": False,
                    "weight": 0.0,
                    "reason": "no news or call source configured",
                    "details": {},
                },
                "ml": part | {"score": 0.6, "weight": 3 / 7},
            },
            "regime": "bull",
            "sizing_notes": ["scaled by target volatility 15% / 24.6%"],
        },
        window=Window(start=date(2000, 3, 1), end=AS_OF, bars=3269),
    )


def test_signal_view_copies_the_signal_evidence() -> None:
    ev = signal_evidence()
    view = SignalView.from_evidence(ev)
    assert view.action is Action.BUY
    assert (view.score, view.confidence, view.position_size) == (0.5714285714, 0.1224, 0.0061)
    assert view.regime == "bull" and view.evidence_id == ev.id
    assert view.components["technical"].score == 0.55
    assert view.components["ml"].weight == pytest.approx(3 / 7)
    assert view.components["sentiment"].score is None
    assert view.components["sentiment"].reason == "no news or call source configured"


def test_signal_view_refuses_other_evidence() -> None:
    other = Evidence.make(kind="risk", tickers=["MSFT"], as_of=AS_OF, values={"var": 0.02})
    with pytest.raises(ValueError, match="not a signal"):
        SignalView.from_evidence(other)


def test_signal_view_rejects_out_of_range_scores() -> None:
    view = SignalView.from_evidence(signal_evidence()).model_dump()
    with pytest.raises(ValidationError):
        SignalView.model_validate(view | {"score": 1.5})


def test_a_reason_needs_text_and_a_citation() -> None:
    assert Reason(text="x", citations=["E-a"]).citations == ["E-a"]
    with pytest.raises(ValidationError):
        Reason(text="uncited", citations=[])
    with pytest.raises(ValidationError):
        Reason(text="", citations=["E-a"])


def test_answer_defaults_are_frozen_and_round_trip_as_json() -> None:
    ev = signal_evidence()
    answer = Answer(
        question="Should I buy MSFT?",
        tickers=["MSFT"],
        as_of=AS_OF,
        signal=SignalView.from_evidence(ev),
        reasons=[Reason(text="Trend is up.", citations=[ev.id])],
        data_windows=[DataWindow.from_evidence(ev)],
        markdown="**BUY**",
    )
    assert answer.disclaimer == "Research, not investment advice."
    assert answer.refused is False and answer.warnings == [] and answer.risks == []
    assert answer.data_windows[0].model_dump() == {
        "evidence_id": ev.id,
        "start": date(2000, 3, 1),
        "end": AS_OF,
        "bars": 3269,
    }
    with pytest.raises(ValidationError):
        answer.markdown = "changed"  # type: ignore[misc]
    assert Answer.model_validate_json(answer.model_dump_json()) == answer


def test_a_refusal_says_why() -> None:
    refusal = Answer.refusal(question="Buy XYZ?", as_of=AS_OF, reason="XYZ is not covered")
    assert refusal.refused and refusal.refusal_reason == "XYZ is not covered"
    assert refusal.signal is None and refusal.markdown == "XYZ is not covered"
    with pytest.raises(ValidationError, match="refusal_reason"):
        Answer(question="q", as_of=AS_OF, refused=True)
    with pytest.raises(ValidationError, match="only for refused"):
        Answer(question="q", as_of=AS_OF, refusal_reason="why")


def test_citation_ids_reads_brackets_and_bare_ids() -> None:
    text = (
        "VaR [E-risk-IBM-20111230-4090c9cb, E-made-up]; see E-signal-BRK-B-20111230-abcdef12. "
        "Not a citation: [see E-x] or E-mail."
    )
    assert [eid for eid, _ in citation_ids(text)] == [
        "E-risk-IBM-20111230-4090c9cb",
        "E-made-up",
        "E-signal-BRK-B-20111230-abcdef12",
    ]
    for eid, (start, end) in citation_ids(text):
        assert text[start:end] == eid
