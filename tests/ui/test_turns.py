"""One answer on screen, in the order the browser gets it: the signal card first; the answer's
text only once the card says it is drawn (or after ``CARD_WAIT_S``), with its citations as one
``Citations`` element; then the charts. A recording emitter stands for the browser."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from agent.answer import Answer, SignalView
from core.settings import load_settings
from tools.context import ToolContext
from tools.evidence import Evidence
from ui.server import prepare_app_root

AS_OF = date(2013, 2, 28)


@pytest.fixture
def chainlit_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Chainlit on a temp app root, its session files in a temp folder, no data layer."""
    settings = load_settings(home=tmp_path / "home", sources=["bundled"])
    monkeypatch.setenv("CHAINLIT_APP_ROOT", str(prepare_app_root(settings)))
    import chainlit.config
    import chainlit.data

    (tmp_path / "files").mkdir()
    monkeypatch.setattr(chainlit.config, "FILES_DIRECTORY", tmp_path / "files")
    monkeypatch.setattr(chainlit.data, "_data_layer", None)
    monkeypatch.setattr(chainlit.data, "_data_layer_initialized", True)


def _browser(
    sent: list[tuple[str, ...]], on_card: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """Enter a Chainlit context whose emitter records in ``sent`` what it sends: ("step", id,
    text) and ("element", name, for id); ``on_card(props)`` runs when the signal card is sent.
    Call it on the event loop."""
    from chainlit.context import ChainlitContext, context_var
    from chainlit.emitter import BaseChainlitEmitter
    from chainlit.session import HTTPSession

    class Emitter(BaseChainlitEmitter):
        async def send_step(self, step_dict: Any) -> None:
            sent.append(("step", step_dict["id"], str(step_dict.get("output") or "")))

        async def send_element(self, element_dict: Any) -> None:
            sent.append(("element", element_dict["name"], element_dict["forId"]))
            if element_dict["name"] == "SignalCard" and on_card is not None:
                on_card(element_dict["props"])

    session = HTTPSession(id=str(uuid.uuid4()), thread_id=str(uuid.uuid4()), client_type="webapp")
    context_var.set(ChainlitContext(session, emitter=Emitter(session)))


def _answer(evidence: dict[str, Evidence]) -> Answer:
    sig, risk = evidence["signal"], evidence["risk"]
    return Answer(
        question="Should I buy IBM?",
        tickers=["IBM"],
        as_of=AS_OF,
        signal=SignalView.from_evidence(sig),
        markdown=f"IBM: {sig.values['action']} [{sig.id}]. Its VaR [{risk.id}].",
    )


def test_card_then_text_with_its_citations_then_charts(
    chainlit_here: None, ibm_evidence: dict[str, Evidence], ctx: ToolContext
) -> None:
    from ui.turns import _waiting, show_answer

    sig, risk = ibm_evidence["signal"], ibm_evidence["risk"]
    rt: Any = SimpleNamespace(context_for=lambda as_of: ctx)
    sent: list[tuple[str, ...]] = []

    async def turn() -> Any:
        _browser(sent)
        return await show_answer(rt, _answer(ibm_evidence), [risk, sig])

    message = asyncio.run(turn())

    (_, card_message, card_text), (_, card, card_for) = sent[0], sent[1]
    assert card == "SignalCard" and card_for == card_message and card_text == ""
    _, answer_id, text = sent[2]
    assert answer_id == message.id and text.startswith(f"IBM: {sig.values['action']} `{sig.id}`")
    assert sent[3] == ("element", "Citations", answer_id)
    charts = sent[4:]
    assert len(charts) >= 3 and all(e[0] == "element" and e[2] == answer_id for e in charts)
    assert not any(e[1] == "Citations" for e in charts)  # one element for all citations
    cited = [c["id"] for c in message.elements[0].props["citations"]]
    assert cited == [sig.id, risk.id]  # the signal's first, then in citation order
    assert _waiting == {}


def test_text_waits_until_the_card_is_drawn(
    chainlit_here: None, ibm_evidence: dict[str, Evidence], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chainlit.session import HTTPSession

    import ui.turns
    from ui.turns import CARD_SHOWN, _waiting, card_shown, show_answer

    monkeypatch.setattr(ui.turns, "WebsocketSession", HTTPSession)  # as for a browser

    def on_card(props: dict[str, Any]) -> None:
        assert props["shown"]["action"] == CARD_SHOWN

        def draw() -> None:  # the browser, a moment later: the card is on screen
            card_shown({"card": "another card"})  # an unknown or stale card does nothing
            card_shown("not a payload")
            sent.append(("drawn",))
            card_shown(props["shown"])

        asyncio.get_running_loop().call_later(0.2, draw)

    rt: Any = SimpleNamespace(context_for=lambda as_of: None)
    sent: list[tuple[str, ...]] = []

    async def turn() -> None:
        _browser(sent, on_card)
        await show_answer(rt, _answer(ibm_evidence), [])

    asyncio.run(turn())
    assert [e[0] if e[0] != "element" else e[1] for e in sent] == [
        "step",  # the card's message
        "SignalCard",
        "drawn",
        "step",  # the answer's text, only now
    ]
    assert sent[-1][2].startswith("IBM: ") and _waiting == {}


def test_a_card_that_never_says_it_is_drawn_holds_the_text_only_briefly(
    chainlit_here: None, ibm_evidence: dict[str, Evidence], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chainlit.session import HTTPSession

    import ui.turns
    from ui.turns import _waiting, show_answer

    monkeypatch.setattr(ui.turns, "WebsocketSession", HTTPSession)
    monkeypatch.setattr(ui.turns, "CARD_WAIT_S", 0.05)
    rt: Any = SimpleNamespace(context_for=lambda as_of: None)

    sent: list[tuple[str, ...]] = []

    async def turn() -> None:
        _browser(sent)
        await show_answer(rt, _answer(ibm_evidence), [])

    asyncio.run(turn())
    assert [e[1] for e in sent if e[0] == "element"] == ["SignalCard"]  # no citations, no charts
    assert sent[-1][0] == "step" and sent[-1][2].startswith("IBM: ")
    assert _waiting == {}
