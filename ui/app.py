"""The SignalDesk web chat (Chainlit): thin async handlers over the agent.

Importing this module registers the handlers with Chainlit, and its ownership-checked feedback
and element routes (``ui.ownership``); ``ui.server`` (what ``signaldesk ui`` runs) prepares the
config folder, the runtime and the logins first. Started as ``chainlit run ui/app.py`` instead,
the import installs the same logins, token checks, security headers and upload route
(``ui.protect.protect_on_import``), or refuses to start with one line. Every blocking call (the
agent, charts, parsing and embedding uploads, database reads) runs in a worker thread.

Each chat maps to an agent thread (``agent_thread`` in the chat's session, saved with the
chat): a new chat uses its own id; opening a briefing ticker switches it to the chat's own copy
of that ticker's briefing thread (``ui.threads``), so follow-ups continue the briefing's
explanation without writing the briefing thread other users open. Agent thread ids never come
from the client: the action names the ticker, the server finds its thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import chainlit as cl
from chainlit.data import get_data_layer
from chainlit.input_widget import Select, TextInput
from chainlit.server import app as chainlit_app
from chainlit.types import ThreadDict

from core import asof
from retrieval.sources.common import MalformedFileError
from ui.briefings import briefing_markdown, briefing_ticker
from ui.datalayer import open_data_layer
from ui.ownership import install_route_guards
from ui.prefs import Prefs, parse_prefs
from ui.protect import protect_on_import
from ui.runtime import OFFLINE, Runtime, current
from ui.threads import (
    ActionRefused,
    agent_thread_for,
    forget_chat,
    fork_briefing,
    fork_id,
    owns_agent_thread,
    parse_open_briefing,
)
from ui.turns import CARD_SHOWN, card_shown, run_turn, show_stored_turn
from ui.uploads import (
    MissingFactError,
    UploadFacts,
    describe_upload,
    facts_from_message,
    index_upload,
    read_upload,
    stage_upload,
    upload_limits,
)

WATCHLIST_COMMAND = "/watchlist"
_ASK_TIMEOUT_S = 300
HISTORY_OFF = (
    "**Chat history is off.** No logins are configured, so past chats are not listed and "
    "cannot be reopened after a reload. To keep them, set `SIGNALDESK_UI_USERS` (see "
    "`signaldesk ui hash-password`) and start the chat again."
)


async def _runtime() -> Runtime:
    return await asyncio.to_thread(current)


@cl.data_layer
def _data_layer() -> Any:
    rt = current()
    agent = rt.agent(OFFLINE)  # all agents share one checkpointer
    return open_data_layer(rt.store, forget=lambda chat: forget_chat(agent, chat))


install_route_guards(chainlit_app)  # feedback and element routes check who owns what
protect_on_import(chainlit_app)  # under `chainlit run ui/app.py` too: logins, tokens, headers


def _prefs(rt: Runtime, values: dict[str, Any] | None = None) -> Prefs:
    if values is None:
        values = cl.context.session.chat_settings
    return parse_prefs(values, models=rt.agents.keys(), default_model=rt.default_model)


async def _send_settings(rt: Runtime, prefs: Prefs | None = None) -> None:
    prefs = prefs or Prefs(None, rt.default_model, tuple(rt.settings.briefing_watchlist))
    values = prefs.as_values()
    await cl.ChatSettings(
        [
            TextInput(
                id="as_of",
                label="As-of date (YYYY-MM-DD)",
                initial=values["as_of"],
                description="Leave it empty for today or the date the question names. Nothing "
                "after this date is used; the bundled prices end 2013-03-01.",
            ),
            Select(
                id="model",
                label="Model",
                items={label: key for key, label in rt.model_choices().items()},
                initial_value=values["model"],
            ),
            TextInput(
                id="watchlist",
                label="Watchlist (comma-separated)",
                initial=values["watchlist"],
                description=f"'{WATCHLIST_COMMAND}' shows the signal of each ticker.",
            ),
        ]
    ).send()


@cl.set_starters
async def _starters(user: cl.User | None = None) -> list[cl.Starter]:
    return [
        cl.Starter(label="Should I buy IBM?", message="Should I buy IBM?"),
        cl.Starter(label="AAPL's 99% VaR", message="What is AAPL's 99% one-day VaR?"),
        cl.Starter(label="Compare momentum", message="Compare AAPL and GOOG momentum"),
        cl.Starter(label="Backtest MSFT", message="Backtest MSFT's technical strategy"),
        cl.Starter(
            label="Risk factors in a 10-K",
            message="What did Apple list as risk factors in its 2010 10-K?",
        ),
        cl.Starter(label="Scan my watchlist", message=WATCHLIST_COMMAND),
    ]


async def _show_briefing(rt: Runtime) -> None:
    view = await asyncio.to_thread(rt.latest_briefing)
    if view is None:
        return
    actions = [
        cl.Action(
            name="open_briefing",
            payload={"ticker": t.ticker, "as_of": str(view.as_of)},
            label=f"Open {t.ticker}",
            tooltip=f"{t.ticker}'s explanation in the {view.as_of} briefing",
        )
        for t in view.tickers
        if t.openable
    ]
    await _notice(briefing_markdown(view), actions=actions)


async def _notice(
    content: str, *, author: str | None = None, actions: list[cl.Action] | None = None
) -> None:
    """A message that is no answer (the briefing, a settings change, a notice): sent as a
    system message, so that Chainlit still shows the starters above it until the first
    question."""
    await cl.Message(content=content, author=author, actions=actions, type="system_message").send()


@cl.on_chat_start
async def _start() -> None:
    rt = await _runtime()
    cl.user_session.set("agent_thread", agent_thread_for(cl.context.session.thread_id))
    await _send_settings(rt)
    if not rt.logins.enabled:
        await _notice(HISTORY_OFF, author="notice")
    await _show_briefing(rt)


@cl.on_chat_resume
async def _resume(thread: ThreadDict) -> None:
    rt = await _runtime()
    saved = cl.user_session.get("agent_thread")  # from the thread's metadata
    if not (isinstance(saved, str) and owns_agent_thread(thread["id"], saved)):
        cl.user_session.set("agent_thread", agent_thread_for(thread["id"]))
    await _send_settings(rt, _prefs(rt))


@cl.on_settings_update
async def _settings_update(values: dict[str, Any]) -> None:
    rt = await _runtime()
    prefs = _prefs(rt, values)
    when = prefs.as_of.isoformat() if prefs.as_of else "today / the question's date"
    note = f"\n\n> {prefs.problem}" if prefs.problem else ""
    await _notice(
        f"Settings: as of **{when}** · {rt.model_choices()[prefs.model]} · "
        f"watchlist {', '.join(prefs.watchlist) or '(empty)'}{note}",
        author="settings",
    )


async def _complete(rt: Runtime, facts: UploadFacts, missing: str, name: str) -> UploadFacts | None:
    """``facts`` with the missing date or ticker the user gives, or None when they give none."""
    prompt = (
        f"What date was **{name}** filed or published (YYYY-MM-DD)?"
        if missing == "date"
        else f"Which ticker is **{name}** about?"
    )
    reply = await cl.AskUserMessage(content=prompt, timeout=_ASK_TIMEOUT_S).send()
    text = str(reply["output"]).strip() if reply else ""
    said = facts_from_message(text, known_tickers=rt.known_tickers, today=asof.today())
    if missing == "date" and said.available_on:
        return dataclasses.replace(facts, available_on=said.available_on)
    if missing == "ticker" and text:
        return dataclasses.replace(facts, ticker=said.ticker or text.split()[0].upper())
    return None


async def _ingest(rt: Runtime, text: str, element: Any) -> None:
    """Stage, read and index one uploaded file, asking for a missing date or ticker."""
    facts = facts_from_message(text, known_tickers=rt.known_tickers, today=asof.today())
    uploads, limits = rt.settings.home / "uploads", upload_limits(rt.settings)
    for _ in range(3):
        try:
            staged = await asyncio.to_thread(
                stage_upload, Path(element.path), element.name, uploads, facts
            )
            doc = await asyncio.to_thread(read_upload, staged, facts, limits=limits)
        except MissingFactError as err:
            completed = await _complete(rt, facts, err.fact, element.name)
            if completed is None:
                await cl.Message(content=f"Not indexed: {err}.").send()
                return
            facts = completed
            continue
        except MalformedFileError as err:
            await cl.Message(content=f"Not indexed: {err}").send()
            return
        report = await asyncio.to_thread(
            index_upload, doc, index=rt.document_index(), corpus=rt.corpus()
        )
        await cl.Message(content=describe_upload(doc, report)).send()
        return


async def _watchlist(rt: Runtime, prefs: Prefs) -> None:
    """The signal of each watchlist ticker, each on a thread of its own."""
    tickers = prefs.watchlist or tuple(rt.settings.briefing_watchlist)
    agent = rt.agent(prefs.model)

    def row(ticker: str) -> str:
        answer = agent.ask(f"Should I buy {ticker}?", as_of=prefs.as_of).answer
        s = answer.signal
        if s is None:
            return f"| {ticker} | n/a | | | {answer.refusal_reason or 'no signal'} |"
        return (
            f"| {ticker} | {s.action.value} | {s.score:.3f} | {s.confidence:.1%} | "
            f"{s.position_size:+.2%} |"
        )

    rows = await asyncio.to_thread(lambda: [row(t) for t in tickers])
    when = prefs.as_of.isoformat() if prefs.as_of else "today"
    header = ["| ticker | action | score | confidence | size |", "|---|---|---|---|---|"]
    await cl.Message(content="\n".join([f"**Watchlist** as of {when}", "", *header, *rows])).send()


@cl.on_message
async def _message(message: cl.Message) -> None:
    rt = await _runtime()
    prefs = _prefs(rt)
    if prefs.problem:
        await cl.Message(content=prefs.problem, author="settings").send()
    files = [e for e in message.elements or [] if getattr(e, "path", None)]
    for element in files:
        await _ingest(rt, message.content, element)
    text = message.content.strip()
    if text == WATCHLIST_COMMAND:
        await _watchlist(rt, prefs)
    elif text and (not files or "?" in text):
        thread_id = _agent_thread()
        await run_turn(rt, rt.agent(prefs.model), text, as_of=prefs.as_of, thread_id=thread_id)


def _agent_thread() -> str:
    """The chat's agent thread: the one in its session when the chat owns it, else its own."""
    chat = cl.context.session.thread_id
    saved = cl.user_session.get("agent_thread")
    if isinstance(saved, str) and owns_agent_thread(chat, saved):
        return saved
    return agent_thread_for(chat)


@cl.action_callback(CARD_SHOWN)
async def _card_shown(action: cl.Action) -> None:
    """The signal card is on screen: its turn shows the answer's text now."""
    card_shown(action.payload)


@cl.action_callback("open_briefing")
async def _open_briefing(action: cl.Action) -> None:
    """Open a briefing ticker (named by as-of date and ticker) in the chat's own fork of its
    thread."""
    rt = await _runtime()
    try:
        as_of, ticker = parse_open_briefing(action.payload or {})
    except ActionRefused as err:
        await cl.Message(content=f"Not opened: {err}.", author="briefing").send()
        return
    found = await asyncio.to_thread(briefing_ticker, rt.engine, as_of=as_of, ticker=ticker)
    if found is None or found.thread_id is None:
        await cl.Message(content=f"No {ticker} explanation in the {as_of} briefing.").send()
        return
    agent = rt.agent(OFFLINE)
    fork = fork_id(cl.context.session.thread_id, found.thread_id)
    if not await asyncio.to_thread(fork_briefing, agent, found.thread_id, fork):
        await cl.Message(content=f"{ticker}'s briefing thread has no answer stored.").send()
        return
    prefs = _prefs(rt)
    prefs = Prefs(as_of, prefs.model, prefs.watchlist)
    cl.context.session.chat_settings = prefs.as_values()
    await _send_settings(rt, prefs)
    cl.user_session.set("agent_thread", fork)
    if await show_stored_turn(rt, agent, fork) is None:
        await cl.Message(content=f"{ticker}'s briefing thread has no answer stored.").send()
        return
    await cl.Message(
        content=f"This chat continues {ticker}'s briefing thread (as of {as_of}): ask a "
        'follow-up ("and its VaR?", "why?").',
        author="briefing",
    ).send()
    if layer := get_data_layer():
        await layer.update_thread(
            thread_id=cl.context.session.thread_id,
            name=f"Briefing {as_of} · {ticker}",
            metadata={"agent_thread": fork},
        )
