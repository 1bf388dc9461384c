"""Prompt-injection hygiene: document text is data, never instructions.

``flag_injection`` names the patterns in a text that read as instructions to a model (the names
are stable, for logs and evals); a chunk with any gets ``injection_suspected=True``. The patterns
are deliberately specific: filings say "ignore" and "system" all the time, so each rule needs
the shape of an instruction to a model, a chat-template token or tool-call syntax. The rules
for text addressed to an AI reader ("NOTE TO AI ANALYSTS: ...", "tell the user ...") live in
``_injection_rules``; tests/retrieval/fixtures/injections holds the paraphrases they are
measured on (and ordinary finance sentences they must leave alone).

``quote_passage`` wraps a passage for a prompt in a ``<passage id="...">`` block whose content
cannot close the block or open another: ``&``, ``<`` and ``>`` are escaped as XML entities, so
``</passage>``, ``<|im_start|>`` or ``<tool_call>`` inside the text arrive as inert text.
"""

from __future__ import annotations

import re
import unicodedata

from retrieval._injection_rules import (
    AI_ADDRESSED_RULES,
    AI_WORD,
    SENTENCE_OPENER,
    addressed_directive,
)
from retrieval._injection_rules import Rule as _Rule

_FLAGS = re.MULTILINE  # patterns are matched against the lower-cased text
_PREVIOUS = (
    r"(?:all\s+|any\s+|the\s+|your\s+|of\s+the\s+)*"
    r"(?:previous|prior|above|earlier|preceding|foregoing|original|system)"
)
_ORDERS = r"(?:instructions?|prompts?|directions?|directives?|rules|guidelines|messages?|commands?)"


RULES: dict[str, _Rule] = {
    "ignore-previous-instructions": _Rule(
        ("ignore", "disregard", "forget", "override", "bypass", "follow"),
        re.compile(
            rf"\b(?:ignore|disregard|forget|override|bypass)\s+{_PREVIOUS}\s+{_ORDERS}|"
            r"\b(?:ignore|disregard|forget|override|bypass|(?:do\s+not|don'?t|stop)\s+follow(?:ing)?)"
            r"\s+(?:all\s+|any\s+)?(?:of\s+)?(?:your|the|these|its)\s+(?:\w+\s+)?"
            r"(?:instructions?|prompts?|guidelines|rules|directives?|programming|orders)\b|"
            r"\b(?:ignore|disregard|forget)\s+(?:[^.\n]{0,40}?\s)?(?:that\s+)?"
            r"you(?:'ve|\s+have|\s+were|\s+are)?\s+(?:been\s+)?(?:told|given|instructed|taught)|"
            r"\b(?:ignore|disregard|forget)\s+[^.\n]{0,40}\b(?:told|gave|taught|instructed)\s+you\b",
            _FLAGS,
        ),
    ),
    "disregard-the-above": _Rule(
        ("disregard", "ignore", "forget"),
        re.compile(
            r"\b(?:disregard|ignore|forget)\s+(?:everything|all|anything)?\s*(?:the\s+)?"
            r"(?:above|before\s+this|said\s+above)(?:\s*[.:!]|\s*$)",
            _FLAGS,
        ),
    ),
    "new-instructions": _Rule(
        ("instruction", "now"),
        re.compile(
            r"\b(?:new|updated|real|actual|secret|hidden)\s+(?:system\s+)?instructions?\s*:|"
            r"\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|should)\b",
            _FLAGS,
        ),
    ),
    "role-reassignment": _Rule(
        ("now", "pretend", "act"),
        re.compile(
            r"\byou\s+are\s+now\s+(?:a|an|the|in|my)?\s*(?:[\w-]+\s+){0,3}?"
            r"(?:assistant|ai|model|chatbot|bot|dan|jailbroken|unrestricted|unfiltered|developer\s+mode)\b|"
            r"\b(?:pretend|act)\s+(?:to\s+be|as\s+if\s+you\s+(?:are|were))\s+(?:a|an)?\s*"
            r"(?:[\w-]+\s+){0,2}?(?:assistant|ai|model|chatbot|system)\b",
            _FLAGS,
        ),
    ),
    "role-prefix": _Rule(
        ("system", "assistant", "user", "developer"),
        re.compile(r"^[ \t]*(?:system|assistant|user|developer)[ \t]*:[ \t]*\S", _FLAGS),
    ),
    "chat-template-token": _Rule(
        ("<", "[inst", "[/inst"),
        re.compile(
            r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|"
            r"end_header_id)\s*\|>|\[/?inst\]|<<\s*/?sys\s*>>|"
            r"</?\s*(?:system|assistant|user)(?:_prompt)?\s*>",
            _FLAGS,
        ),
    ),
    "instruction-header": _Rule(
        ("##",),
        re.compile(
            r"^[ \t]*#{2,}[ \t]*(?:instructions?|system(?:\s+prompt)?|response|assistant|user)\b",
            _FLAGS,
        ),
    ),
    "tool-call-syntax": _Rule(
        ("tool", "function", '"name"'),
        re.compile(
            r"</?\s*(?:tool_call|function_call|tool_use|tool_code)\s*>|"
            r"\{\s*\"(?:name|tool|function)\"\s*:\s*\"[^\"]{1,80}\"\s*,\s*"
            r"\"(?:arguments|parameters|args|input)\"\s*:|"
            r"\"(?:tool_calls|function_call)\"\s*:",
            _FLAGS,
        ),
    ),
    "prompt-exfiltration": _Rule(
        ("prompt", "instruction"),
        re.compile(
            r"\b(?:reveal|print|repeat|show|output|leak|disclose)\s+(?:your|the)\s+"
            r"(?:system\s+|initial\s+|hidden\s+|original\s+)?(?:prompt\b|instructions\s+you\b)|"
            r"\b(?:reveal|print|repeat|leak|disclose)\s+your\s+(?:\w+\s+)?instructions\b",
            _FLAGS,
        ),
    ),
    **AI_ADDRESSED_RULES,
}


def _normalise(text: str) -> str:
    """NFKC (full-width and look-alike forms), zero-width characters removed, lower case."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text).lower()


def flag_injection(text: str) -> list[str]:
    """Names of the injection patterns found in ``text`` (empty when it reads as plain data)."""
    clean = _normalise(text)
    names_ai = AI_WORD.search(clean) is not None
    openers: set[str] | None = None  # the sentences' first words, found when a rule needs them
    names = []
    for name, rule in RULES.items():
        if (rule.needs_ai and not names_ai) or not any(word in clean for word in rule.keywords):
            continue
        if rule.openers:
            openers = openers if openers is not None else set(SENTENCE_OPENER.findall(clean))
            if not openers & rule.openers:
                continue
        if rule.pattern.search(clean):
            names.append(name)
    if names_ai and addressed_directive(clean):
        names.append("addressed-directive")
    return names


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quote_passage(text: str, *, passage_id: str) -> str:
    """``text`` inside ``<passage id="...">`` ... ``</passage>``, escaped so it cannot break out."""
    safe_id = _escape(passage_id).replace('"', "&quot;")
    return f'<passage id="{safe_id}">\n{_escape(text)}\n</passage>'
