"""``POST /v1/ask``: the agent answers (the offline planner, or the configured LLM), as
``signaldesk ask --json`` prints it; ``stream: true`` sends each tool step as it finishes and
then the verified answer, as Server-Sent Events. Threads belong to the key that started them."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from agent.runner import RunResult
from api.errors import ApiError, classify, documented
from api.security import Caller, allowed, services_of
from api.services import Services
from core.asof import today

router = APIRouter(prefix="/v1", tags=["agent"])

Asker = Annotated[Caller, Security(allowed, scopes=["ask"])]
# one Server-Sent Event of a streamed answer; data is the JSON of a ToolStep, of the answer
# (the JSON response's object) or of an error ({"error": {"code", "message"}})
_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["step", "answer", "error"]},
        "data": {"type": "string", "description": "JSON"},
    },
    "required": ["event", "data"],
}
_THREAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=4000)
    as_of: date | None = Field(default=None, description="default: the data's last day offline")
    thread: str | None = Field(
        default=None, description="continue this thread (an id a previous answer returned)"
    )
    stream: bool = False


def _thread(caller: Caller, thread: str | None) -> str:
    """The agent's thread id: the caller's own namespace, so no key reads another's thread."""
    if thread is None:
        import uuid

        thread = uuid.uuid4().hex[:12]
    if not _THREAD.match(thread):
        raise ApiError(422, "invalid_request", "thread: letters, digits, - and _ (at most 64)")
    return f"api-{caller.key_id}-{thread}"


def _public(result: Any, caller: Caller) -> dict[str, Any]:
    payload: dict[str, Any] = result.model_dump(mode="json")
    payload["thread_id"] = payload["thread_id"].removeprefix(f"api-{caller.key_id}-")
    return payload


@router.post(
    "/ask",
    summary="Ask the research agent",
    response_model=None,
    responses={
        200: {
            "model": RunResult,
            "description": "the verified answer; with stream true, Server-Sent Events: "
            "'step' (a tool step) as each finishes, then 'answer' (this object), or 'error'",
            "content": {"text/event-stream": {"schema": _EVENT}},
        },
        **documented(),
    },
)
async def ask(request: Request, body: AskRequest, caller: Asker) -> Any:
    services = services_of(request)
    if body.as_of is not None and body.as_of > today():
        raise ApiError(400, "bad_request", f"as_of {body.as_of} is after today ({today()})")
    thread = _thread(caller, body.thread)
    agent = await run_in_threadpool(services.agent)
    if not body.stream:
        result = await run_in_threadpool(
            agent.ask, body.question, as_of=body.as_of, thread_id=thread
        )
        await run_in_threadpool(_track, services, result)
        return JSONResponse(_public(result, caller))
    steps = agent.stream(body.question, as_of=body.as_of, thread_id=thread)
    return StreamingResponse(
        _events(steps, caller, services),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache"},
    )


def _track(services: Services, result: RunResult) -> None:
    """The calls a verified answer showed go to the track record (source ``api``)."""
    if result.answer.refused or not result.verification.ok:
        return
    from agent.services import record_shown_calls

    record_shown_calls(services.settings, result.evidence, source="api", engine=services.engine)


async def _events(steps: Any, caller: Caller, services: Services) -> AsyncIterator[str]:
    try:
        async for item in iterate_in_threadpool(steps):
            if isinstance(item, RunResult):
                await run_in_threadpool(_track, services, item)
                yield _event("answer", _public(item, caller))
            else:
                yield _event("step", item.model_dump(mode="json"))
    except Exception as err:  # noqa: BLE001 - the stream has started: report it in the stream
        found = classify(err)
        code, message = (found.code, found.message) if found else ("internal", "internal error")
        yield _event("error", {"error": {"code": code, "message": message}})


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"
