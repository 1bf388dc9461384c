"""Understand a research question without a model: tickers, as-of date, intents and the few numbers
the offline planner needs. Pure and deterministic: ``today`` and ``known_tickers`` are passed in."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from agent._dates import _parse_as_of
from agent._exemplars import classify_ask
from agent._grammar import FLAGS, FORM_K, NUM, WORD_NUMS, YEAR, fix_typos, unique
from agent._request import fill_request
from agent._tickers import _resolve_tickers
from agent.request import Ask, Decline, DocScope, Quantity, Verdict

Intent = Literal[
    "signal",
    "technicals",
    "risk",
    "backtest",
    "forecast",
    "filings",
    "calls",
    "sentiment",
    "news",
    "compare",
    "price",
    "why",
]
Form = Literal["10-K", "10-Q"]


class ParsedQuestion(BaseModel):
    """What a question asks for. ``tickers`` keep the order of mention; ``unknown_tickers`` are
    clearly marked symbols (``$XYZ``, "ticker XYZ") the data layer does not know (the planner
    refuses them plainly); ``unmarked_symbols`` are other ALL-CAPS words that are neither known
    nor financial vocabulary: never tickers, only named when the question has no ticker."""

    model_config = ConfigDict(frozen=True)

    text: str
    normalized: str
    tickers: tuple[str, ...] = ()
    unknown_tickers: tuple[str, ...] = ()
    unmarked_symbols: tuple[str, ...] = ()
    as_of: date | None = None
    future_date: bool = False  # as_of is after `today`: the planner refuses to predict
    intents: frozenset[Intent] = frozenset()
    advice_request: bool = False  # personal advice or guarantees: answered with a refusal
    unsupported: bool = False  # nothing recognised
    var_level: float | None = None
    horizon_days: int | None = None
    forms: tuple[Form, ...] = ()
    fiscal_year: int | None = None
    k: int | None = None  # "top 5", "3 risk factors": how many items to return
    brief: bool = False  # "in one line", "tl;dr": only the sentence that answers
    is_follow_up: bool = False
    # the typed request (agent.request): what exactly is asked, for the planner and the writer
    ask: Ask | None = None
    quantity: Quantity = Quantity()
    verdict: Verdict | None = None
    scope: DocScope | None = None
    decline: Decline | None = None

    def trying_unknown(self) -> ParsedQuestion:
        """For an open-universe provider (one that may serve any symbol): the missing symbols
        (``missing_symbols``) become tickers to try."""
        candidates = missing_symbols(self)
        if not candidates:
            return self
        update: dict[str, object] = {
            "tickers": self.tickers + candidates,
            "unknown_tickers": (),
            "unmarked_symbols": (),
        }
        if self.decline is not None and self.decline.reason in ("unknown_company", "no_company"):
            update["decline"] = None  # tried, not declined
        return self.model_copy(update=update)


_T = TypeVar("_T")
_I, _WORD_NUMS, _NUM, _YEAR = FLAGS, WORD_NUMS, NUM, YEAR

# fmt: off
_INTENT_PATTERNS: tuple[tuple[Intent, str], ...] = (
    ("backtest", r"\bback-?test\w*|\btrack\s+record\b|\bstrategy\s+perform"
                 r"|\bhow\s+did\s+the\s+(?:strategy|signals?|model)\s+(?:do|perform)"),
    ("signal", r"\bshould\s+i\s+(?:buy|sell|hold|short|invest|put|get\s+into|own)\b"
               r"|\b(?:buy|sell|outlook|recommend\w*|bullish|bearish|signal|rating)\b"
               r"|\bworth\s+(?:buying|owning|it)\b|\bgo(?:ing)?\s+(?:up|down)\b"),
    ("technicals", r"\b(?:rsi|macd|sma|ema|bollinger|momentum|trend\w*|indicators?"
                   r"|technicals?|overbought|oversold)\b|\bmoving\s+averages?\b"),
    ("risk", r"\b(?:c?var|value\s+at\s+risk|expected\s+shortfall|drawdowns?|volatil\w*"
             r"|risk(?:y|iness|ier)?)\b(?!\s+factors?)"),
    ("forecast", r"\b(?:models?|predict\w*|forecast\w*|probabilit\w*|ml)\b"
                 r"|\bmachine\s+learning\b"),
    ("filings", rf"\b{FORM_K}|\b(?:filings?|filed|md\s?&\s?a|risk\s+factors?)\b"
                r"|\b(?:annual|quarterly)\s+report|management'?s\s+discussion"),
    ("calls", r"\b(?:earnings|conference)\s+calls?\b|\btranscripts?\b|\bon\s+the\s+call\b"
              r"|\b(?:management|ceo|cfo|executives)\s+(?:say|says|said|think|thinks)\b"),
    ("sentiment", r"\b(?:sentiment|tone|mood)\b"),
    ("news", r"\b(?:news|headlines?)\b"),
    ("compare", r"\b(?:compar\w*|versus|vs\.?|which\s+(?:is|was|one\s+is)\s+better)(?!\w)"),
    ("price", r"\b(?:prices?|priced|close[ds]?|closing|move[ds]?|returns?|returned"
              r"|perform(?:ance|ed)?|gain(?:ed|s)?|rose|fell|trading\s+at)\b|\bhow\s+much\b"),
    ("why", r"\b(?:why|explain\w*|reason\w*|how\s+come)\b"),
)
# fmt: on
_INTENTS: tuple[tuple[Intent, re.Pattern[str]], ...] = tuple(
    (intent, re.compile(pattern, _I)) for intent, pattern in _INTENT_PATTERNS
)
_HOW_DID_DO = re.compile(r"\bhow\s+(?:did|does|has|is)\b.*\b(?:do|doing|done)\b", _I)
_COMPARATIVE = re.compile(
    r"\b(?:better|worse|stronger|weaker|riskier|safer|cheaper|than|which|or|against|"
    r"outperform\w*|underperform\w*)\b",
    _I,
)
_ADVICE = re.compile(
    r"\bguarantee\w*|\bcan(?:'|’|no)?t\s+lose\b|\bcannot\s+lose\b|\bsure\s+thing\b|"
    r"\ball\s+(?:of\s+)?my\s+(?:savings|money|cash)\b|\blife\s+savings\b|\bretirement\b|"
    r"\b401\s?\(?k\)?|\bmy\s+(?:kids'?|children'?s)\s+college|\bmortgage\s+my\b|"
    r"\b(?:take\s+(?:out\s+)?a\s+loan|borrow\w*|on\s+margin|remortgage|credit\s+card|bet\s+the\s+"
    r"house|go\s+all[-\s]in)\b",
    _I,
)


def _parse_intents(text: str, n_tickers: int) -> frozenset[Intent]:
    intents = {intent for intent, pattern in _INTENTS if pattern.search(text)}
    if "backtest" not in intents and _HOW_DID_DO.search(text):
        intents.add("price")
    if n_tickers >= 2 and _COMPARATIVE.search(text):
        intents.add("compare")
    return frozenset(intents)


# --- numbers ---------------------------------------------------------------------------------
_VAR_LEVEL = re.compile(r"\b(9\d(?:\.\d+)?)\s?(?:%|percent\b)", _I)
_HORIZON_UNIT = {"day": 1, "week": 5, "month": 21}
_HORIZON = re.compile(
    rf"\b{_NUM}[-\s](day|week|month)s?\b(?!\s+(?:moving|ma|sma|ema|rsi|high|low|average))", _I
)
_HORIZON_WORD = re.compile(r"\b(daily|weekly|monthly)\b", _I)
_FORMS = re.compile(rf"\b{FORM_K}|\b(?P<period>annual|quarterly)\s+report", _I)
_FISCAL_YEAR = re.compile(
    rf"\b{_YEAR}\s+(?:10-?[kq]|annual\s+report|form|filing)|"
    rf"\b(?:10-?[kq]|annual\s+report|filing)\s+(?:for|from|of)\s+(?:fiscal\s+)?(?:year\s+)?{_YEAR}|"
    rf"\bfiscal\s+(?:year\s+)?{_YEAR}|\bfy\s?'?((?:19|20)?\d{{2}})\b",
    _I,
)
_K = re.compile(
    rf"\b(?:top|first|last)\s+{_NUM}\b|\b{_NUM}\s+(?:biggest\s+|main\s+|key\s+)?"
    r"(?:risk\s+factors|risks|passages|excerpts|quotes|results|sources|headlines|stories)\b",
    _I,
)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMS[word.lower()]


def _var_level(text: str) -> float | None:
    m = _VAR_LEVEL.search(text)
    return round(float(m.group(1)) / 100, 4) if m else None


def _horizon_days(text: str) -> int | None:
    if m := _HORIZON.search(text):
        return _number(m.group(1)) * _HORIZON_UNIT[m.group(2).lower()]
    if m := _HORIZON_WORD.search(text):
        return {"daily": 1, "weekly": 5, "monthly": 21}[m.group(1).lower()]
    return None


def _forms(text: str) -> tuple[Form, ...]:
    forms: list[Form] = []
    for m in _FORMS.finditer(text):
        quarterly = (m["form"] or "").lower() == "q" or (m["period"] or "").lower() == "quarterly"
        forms.append("10-Q" if quarterly else "10-K")
    return unique(forms)


def _fiscal_year(text: str) -> int | None:
    if m := _FISCAL_YEAR.search(text):
        year = next(g for g in m.groups() if g)
        return int(year) if len(year) == 4 else 2000 + int(year)
    return None


def _k(text: str) -> int | None:
    m = _K.search(text)
    return _number(next(g for g in m.groups() if g)) if m else None


# --- the parser ------------------------------------------------------------------------------
_FOLLOW_UP_CUE = re.compile(
    r"^\s*(?:and|what\s+about|how\s+about|what\s+of|same\s+for|also|then|so|ok(?:ay)?|why)\b", _I
)


_BRIEF = re.compile(
    r"\b(?:one|1|single)[-\s]?(?:line|liner|sentence|word)\b|\btl;?\s?dr\b|\bin\s+(?:a\s+)?(?:nutshell"
    r"|brief|short)\b|\bbriefly\b|\bshort\s+(?:answer|version)\b|\bjust\s+(?:the\s+)?(?:number"
    r"|answer|verdict|bottom\s+line)\b|\bbottom\s+line\b",
    FLAGS,
)
# a follow-up naming one more company and asking which of them: compare with the previous one
_WHICH_OF_THEM = re.compile(
    r"\bwhich\s+(?:one\s+|of\s+(?:the\s+|them\s+)?(?:two\s+)?)?(?:is|looks|seems|has|would|should)\b"
    r"|\bwhich\s+(?:is|looks)\s+(?:better|stronger|riskier|safer)|\b(?:compared?|vs\.?|versus)\s+"
    r"(?:to\s+|with\s+)?(?:it|that|them|the\s+other)\b|\bbetter\s+than\s+(?:it|that)\b",
    FLAGS,
)


def parse_question(
    text: str,
    *,
    today: date,
    history: ParsedQuestion | None = None,
    known_tickers: Collection[str],
    classify: Callable[[str], Ask | None] | None = classify_ask,
) -> ParsedQuestion:
    """Parse ``text`` into a :class:`ParsedQuestion`. With ``history`` (the previous parsed
    question), a follow-up inherits what it does not restate: tickers, as_of, intents, numbers,
    and (when it asks nothing new) the ask with its quantity, verdict and scope.

    ``classify`` (the MiniLM exemplar classifier by default; None for rules only) is consulted
    only where the rules find no ask or a weak one. Relative words ("now", "currently") leave
    ``as_of`` None: the turn's as-of date, never the clock."""
    tickers, unknown, unmarked = _resolve_tickers(text, frozenset(t.upper() for t in known_tickers))
    q = ParsedQuestion(
        text=text,
        normalized=" ".join(text.lower().split()),
        tickers=tickers,
        unknown_tickers=unknown,
        unmarked_symbols=unmarked,
        as_of=_parse_as_of(text, today),
        intents=_parse_intents(fix_typos(text), len(tickers) + len(unknown) + len(unmarked)),
        advice_request=bool(_ADVICE.search(text)),
        horizon_days=_horizon_days(text),
        forms=_forms(text),
        fiscal_year=_fiscal_year(text),
        k=_k(text),
        brief=bool(_BRIEF.search(text)),
    )
    if history is not None and _is_follow_up(q):
        q = _inherit(q, history)
        if (
            len(q.tickers) == 1
            and history.tickers
            and q.tickers[0] not in history.tickers
            and _WHICH_OF_THEM.search(text)
        ):  # "Should I buy MSFT?" then "same for IBM, which looks better?": both compared
            q = q.model_copy(update={"tickers": unique((*history.tickers, *q.tickers))})
        if len(q.tickers) >= 2 and _COMPARATIVE.search(text):  # "and which is riskier?"
            q = q.model_copy(update={"intents": q.intents | {"compare"}})
    level = _var_level(text) if "risk" in q.intents else None
    request = fill_request(
        q, today=today, history=history if q.is_follow_up else None, classify=classify
    )
    q = q.model_copy(update=request)
    said = q.quantity.level  # "at 99", "1 in 100": the request's level, valid ones only
    if level is None and q.ask in ("var", "cvar") and said is not None and 0.5 < said < 1:
        level = said
    return q.model_copy(
        update={
            "var_level": q.var_level if level is None else level,
            "future_date": q.as_of is not None and q.as_of > today,
            "unsupported": not (
                q.intents
                or q.tickers
                or q.unknown_tickers
                or q.unmarked_symbols
                or q.advice_request
            ),
        }
    )


def missing_symbols(q: ParsedQuestion) -> tuple[str, ...]:
    """The symbols a question asks about that the data does not know: the marked ones, and the
    unmarked candidates when nothing else names a company or when it compares ("Compare AAPL
    with NFLX": NFLX stands where a ticker goes); "Apple's COGS" has none."""
    if q.tickers and "compare" not in q.intents:
        return q.unknown_tickers
    return unique((*q.unknown_tickers, *q.unmarked_symbols))


_BACK_REFERENCE = re.compile(r"\b(?:it|its|it's|that|this|those|these|they|them|their)\b", _I)


def _is_follow_up(q: ParsedQuestion) -> bool:
    """A cue ("and ...", "what about ...", "why"), a question that names no company but asks
    something, one that names a company but asks nothing, or a comparison with one company."""
    if _FOLLOW_UP_CUE.search(q.text):
        return True
    if _BACK_REFERENCE.search(q.text) and not (
        q.tickers or q.unknown_tickers or q.unmarked_symbols
    ):
        return True  # "what's driving it?", "what costs did that assume?"
    if n := len(q.tickers) + len(q.unknown_tickers) + len(q.unmarked_symbols):
        return not q.intents or ("compare" in q.intents and n == 1)  # "compare it with MSFT"
    return bool(q.intents or q.as_of or q.horizon_days or q.forms or q.fiscal_year or q.k)


def _inherit(q: ParsedQuestion, history: ParsedQuestion) -> ParsedQuestion:
    update: dict[str, object] = {"is_follow_up": True, "var_level": history.var_level}
    if not (q.tickers or q.unknown_tickers or q.unmarked_symbols):  # "and XYZQ?" is not "and it?"
        update |= {"tickers": history.tickers, "unknown_tickers": history.unknown_tickers}
    elif "compare" in q.intents:  # "compare it with Microsoft": the earlier tickers stay
        update["tickers"] = unique((*history.tickers, *q.tickers))
    if q.as_of is None:
        update["as_of"] = history.as_of
    if q.intents <= {"why"}:  # "why?", "what about Microsoft?": the same question again
        update["intents"] = history.intents | q.intents
    for name in ("horizon_days", "forms", "fiscal_year", "k"):
        if not getattr(q, name):
            update[name] = getattr(history, name)
    return q.model_copy(update=update)
