"""Who may touch a chat thread, element or feedback: the logged-in user who owns its thread.

Chainlit checks the author on most thread routes (``is_thread_author``) but not on its feedback
routes (``PUT /feedback``, ``DELETE /feedback``) and not on the element an element request
names; ``ui.persistence.ChatDataLayer`` enforces ownership for those, on behalf of the user
this module says is acting:

- in a Chainlit context (websocket handlers, ``/project/element``) the session's user;
- on the feedback routes, which run without one, the logged-in user, set by the wrappers
  ``install_route_guards`` puts in front of Chainlit's handlers.

With logins, every request acts for its user; a thread of another user is refused. Without
logins (the chat then listens on loopback only) threads have no author and nobody acts: such
threads are everybody's, as in Chainlit. ``install_route_guards`` also drops FastAPI's
generated API docs (``/docs``, ``/redoc``, ``/openapi.json``), which listed every route to
anyone without a login.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

# no ``from __future__ import annotations``: FastAPI reads the route handlers' annotations,
# which name classes imported inside ``install_route_guards``

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["OwnershipError", "acting_as", "acting_user", "install_route_guards"]

_ACTING: ContextVar[str | None] = ContextVar("signaldesk_acting_user", default=None)


class OwnershipError(PermissionError):
    """The acting user does not own the thread (or message, element, feedback) named."""


@contextmanager
def acting_as(identifier: str) -> Iterator[None]:
    """Data-layer calls in the block act for the user ``identifier``."""
    token = _ACTING.set(identifier)
    try:
        yield
    finally:
        _ACTING.reset(token)


def acting_user() -> str | None:
    """The identifier of the user the current request acts for, or None when there is none."""
    if (name := _ACTING.get()) is not None:
        return name
    from chainlit.context import ChainlitContextException, context

    try:
        user = context.session.user
    except ChainlitContextException:
        return None
    return getattr(user, "identifier", None)


def install_route_guards(app: "FastAPI") -> None:
    """Put ownership-checked ``PUT``/``DELETE /feedback`` and ``/project/element`` in place of
    Chainlit's: they act for the logged-in user (so the data layer can check that the message
    or element is in one of their chats) and answer 403 with a one-line reason when not."""
    from chainlit import server as cl_server
    from chainlit.auth import get_current_user
    from chainlit.types import DeleteFeedbackRequest, ElementRequest, UpdateFeedbackRequest
    from fastapi import Depends, Request
    from fastapi.responses import JSONResponse
    from fastapi.routing import APIRoute

    async def guarded(current_user: Any, call: Any) -> Any:
        name = getattr(current_user, "identifier", None)
        try:
            if name is None:
                return await call()
            with acting_as(name):
                return await call()
        except OwnershipError as err:
            return JSONResponse({"detail": str(err)}, status_code=403)

    async def put_feedback(
        request: Request,
        update: UpdateFeedbackRequest,
        current_user: Any = Depends(get_current_user),  # noqa: B008
    ) -> Any:
        async def call() -> Any:
            # checked first: Chainlit's handler turns any error of the data layer into a 500
            await cl_server.get_data_layer().check_feedback(update.feedback)
            return await cl_server.update_feedback(request, update, current_user)

        return await guarded(current_user, call)

    async def delete_feedback(
        request: Request,
        payload: DeleteFeedbackRequest,
        current_user: Any = Depends(get_current_user),  # noqa: B008
    ) -> Any:
        return await guarded(
            current_user, lambda: cl_server.delete_feedback(request, payload, current_user)
        )

    async def checked_element(payload: ElementRequest, current_user: Any, call: Any) -> Any:
        async def run() -> Any:
            # checked first: Chainlit writes elements in background tasks, refused unseen
            element = payload.element
            thread = element.get("threadId")
            layer = cl_server.get_data_layer()
            await layer.check_element(str(element.get("id")), str(thread) if thread else None)
            return await call()

        return await guarded(current_user, run)

    async def put_element(
        payload: ElementRequest,
        current_user: Any = Depends(get_current_user),  # noqa: B008
    ) -> Any:
        return await checked_element(
            payload, current_user, lambda: cl_server.update_thread_element(payload, current_user)
        )

    async def delete_element(
        payload: ElementRequest,
        current_user: Any = Depends(get_current_user),  # noqa: B008
    ) -> Any:
        return await checked_element(
            payload, current_user, lambda: cl_server.delete_thread_element(payload, current_user)
        )

    ours: dict[tuple[str, str], Callable[..., Any]] = {
        ("/feedback", "PUT"): put_feedback,
        ("/feedback", "DELETE"): delete_feedback,
        ("/project/element", "PUT"): put_element,
        ("/project/element", "DELETE"): delete_element,
    }

    def replaced(route: Any) -> bool:
        methods = getattr(route, "methods", None) or set()
        return any((getattr(route, "path", None), m) in ours for m in methods)

    # FastAPI's generated docs, open to anyone, listed every route: gone (the catch-all page
    # route then asks for a login)
    docs = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    kept = [
        r for r in app.router.routes if not replaced(r) and getattr(r, "path", None) not in docs
    ]
    routes = [
        APIRoute(path, endpoint, methods=[method], name=f"signaldesk_{endpoint.__name__}")
        for (path, method), endpoint in ours.items()
    ]
    app.router.routes[:] = routes + kept
