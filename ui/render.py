"""What the web chat shows, as plain data and Markdown: no Chainlit here, so it is tested alone.

- ``signal_card``: the props of the ``SignalCard`` element (action, score, confidence, size,
  as-of, regime and the three confluence parts).
- ``citation``: the side-panel text of one evidence (source, section, filing date, window,
  values, and the passage itself for documents); ``citations``: the props of the
  ``Citations`` element under an answer (one button per cited evidence; a click opens that
  citation alone in the side panel).
- ``step_input`` / ``step_output``: what a tool step shows, as Markdown: its arguments, then
  its summary, time and evidence ids.
- ``answer_text``: the answer's Markdown plus the verifier's warnings.

Text that may quote a document (passages, summaries, answers) goes through
``retrieval.inert.inert_text``: a planted image or HTML tag is shown as text, never fetched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from agent.answer import CITATION_GROUP, Answer, SignalView, citation_ids
from retrieval.inert import inert_text
from tools.evidence import Evidence

__all__ = [
    "answer_text",
    "cited_evidence",
    "citation",
    "citations",
    "signal_card",
    "step_input",
    "step_output",
]

_DOCUMENT_KINDS = ("filing", "call", "news")
_MAX_VALUE_CHARS = 4000


def signal_card(signal: SignalView, *, tickers: Sequence[str], as_of: date) -> dict[str, Any]:
    """Props of the signal card: numbers rounded for display, parts in the confluence order."""
    parts = [
        {
            "name": name,
            "score": None if part.score is None else round(part.score, 3),
            "weight": round(part.weight, 3),
            "reason": part.reason,
        }
        for name, part in signal.components.items()
    ]
    return {
        "ticker": " ".join(tickers),
        "action": signal.action.value,
        "score": round(signal.score, 3),
        "confidence": round(signal.confidence, 3),
        "position_size": round(signal.position_size, 4),
        "as_of": as_of.isoformat(),
        "regime": signal.regime,
        "components": parts,
        "evidence_id": signal.evidence_id,
    }


def cited_evidence(answer: Answer, evidence: Iterable[Evidence]) -> list[Evidence]:
    """The evidence the answer cites, in the order of first citation (the signal's first)."""
    by_id = {ev.id: ev for ev in evidence}
    order = [answer.signal.evidence_id] if answer.signal else []
    order += [ident for ident, _ in citation_ids(answer.markdown)]
    for reason in (*answer.reasons, *answer.risks):
        order += reason.citations
    seen: dict[str, Evidence] = {}
    for ident in order:
        if ident in by_id and ident not in seen:
            seen[ident] = by_id[ident]
    return list(seen.values())


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "n/a"
    return str(value)


def _source_lines(ev: Evidence) -> list[str]:
    s = ev.source
    if ev.kind in _DOCUMENT_KINDS:
        where = " · ".join(
            str(x) for x in (s.get("form"), s.get("fiscal_period"), s.get("section")) if x
        )
        lines = [f"- **Document:** {where or 'document'}"]
        if s.get("section_title"):
            lines.append(f"- **Section:** {s['section_title']}")
        lines.append(f"- **Filed / published:** {_fmt(s.get('filed'))}")
        if s.get("path"):
            lines.append(f"- **File:** `{s['path']}`")
        return lines
    return [f"- **{k.replace('_', ' ').capitalize()}:** {_fmt(v)}" for k, v in s.items()]


def _values_block(ev: Evidence) -> list[str]:
    if ev.kind in _DOCUMENT_KINDS:
        text = inert_text(" ".join(str(ev.values.get("text", "")).split()))
        flag = (
            "\n\n> Flagged: this passage reads like instructions to a model; it is quoted, "
            "never followed."
            if ev.values.get("injection_suspected")
            else ""
        )
        return ["**Passage**", "", f"> {text}{flag}"]
    dumped = json.dumps(ev.values, indent=2, default=str)
    if len(dumped) > _MAX_VALUE_CHARS:
        dumped = dumped[:_MAX_VALUE_CHARS] + "\n... (truncated; signaldesk ask --json has all)"
    return ["**Values**", "", "```json", dumped, "```"]


def citation(ev: Evidence) -> str:
    """The Markdown shown when a citation is opened."""
    w = ev.window
    window = f"{w.start} to {w.end}" if w.start and w.end else f"up to {w.end}" if w.end else "n/a"
    window += f" ({w.bars:,} bars)" if w.bars else ""
    lines = [
        f"### {ev.kind} · {' '.join(ev.tickers) or 'no ticker'} · as of {ev.as_of}",
        "",
        f"`{ev.id}`",
        "",
        inert_text(ev.summary),
        "",
        *_source_lines(ev),
        f"- **Data window:** {window}",
        "",
        *_values_block(ev),
    ]
    return "\n".join(lines)


def citations(evidence: Sequence[Evidence]) -> dict[str, Any]:
    """Props of the ``Citations`` element: per cited evidence its id (the side panel's title),
    a short label (kind, tickers, as-of) and the panel's Markdown (``citation``)."""
    return {
        "citations": [
            {
                "id": ev.id,
                "label": f"{ev.kind} · {' '.join(ev.tickers) or 'no ticker'} · as of {ev.as_of}",
                "markdown": citation(ev),
            }
            for ev in evidence
        ]
    }


def _arg_value(value: Any) -> str:
    if isinstance(value, str):
        return inert_text(" ".join(value.split())) or "(empty)"
    return f"`{json.dumps(value, default=str)}`"


def step_input(args: dict[str, Any]) -> str:
    """A tool call's arguments as a Markdown list (``name``: value), in the order given."""
    if not args:
        return "No arguments."
    return "\n".join(f"- `{name}`: {_arg_value(value)}" for name, value in args.items())


def step_output(*, summary: str, evidence_ids: Sequence[str], ms: float | None) -> str:
    """A tool call's result as Markdown: its summary, then how long it took and the evidence
    it added (ids as code, so that no character in them is read as Markdown)."""
    timing = f"Took {ms:,.0f} ms" if ms is not None else "Time not measured"
    cites = ", ".join(f"`{ident}`" for ident in evidence_ids) if evidence_ids else "none"
    for ident in evidence_ids:  # a summary tagged with its own evidence id: listed below
        summary = summary.removeprefix(f"[{ident}] ")
    return f"{inert_text(summary)}\n\n{timing} · evidence: {cites}"


def _unbracket(group: re.Match[str]) -> str:
    return " ".join(f"`{ident}`" for ident in re.findall(r"[^\s,;\[\]]+", group.group()))


def answer_text(answer: Answer) -> str:
    """The answer's Markdown for the chat: citation brackets dropped (each id shown as code,
    as on the ``Citations`` buttons under the answer that open it), then the verifier's
    warnings as a visible block."""
    text = inert_text(CITATION_GROUP.sub(_unbracket, answer.markdown))
    if not answer.warnings:
        return text
    lines = "\n".join(f"> - {w}" for w in answer.warnings)
    return f"{text}\n\n> **Verifier warnings**\n{lines}"
