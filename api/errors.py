"""Every error of the API is one JSON object, ``{"error": {"code", "message"}}``, with the status
a client can act on: 400/404/422 for input to fix, 401/403 for credentials, 429 and 503 with
``Retry-After``, and 500 (no trace, the server log has it) only for a bug."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from data.errors import (
    DataError,
    DataUnavailableError,
    EmptyRangeError,
    ProviderError,
    UnknownTickerError,
)

__all__ = ["ApiError", "ErrorBody", "documented", "install_handlers"]

log = logging.getLogger(__name__)

RETRY_AFTER_UNAVAILABLE_S = 30


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """What every error response carries."""

    error: ErrorDetail


_MEANINGS = {
    400: "a value the API cannot use (a date after today, reversed dates, a bad ticker)",
    401: "no token, or a token that is invalid or expired, or whose key was revoked",
    403: "the token lacks the scope",
    404: "no such ticker, data, model, briefing or job",
    422: "the request does not match this document, or too little history at that date",
    429: "the key's rate limit: wait Retry-After seconds",
    503: "a data source or service is down: retry after Retry-After seconds",
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses of a route for its OpenAPI document (default: every one a route
    with a token can give)."""
    chosen = codes or (400, 401, 403, 404, 422, 429, 503)
    return {c: {"model": ErrorBody, "description": _MEANINGS[c]} for c in chosen}


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def _reply(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Any:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def _first_line(err: BaseException) -> str:
    lines = [part.strip() for part in str(err).splitlines() if part.strip()]
    return lines[0] if lines else type(err).__name__


def classify(err: BaseException) -> ApiError | None:
    """The API error for a known error of the layers below, or None (a bug: 500)."""
    from quant.backtest.splits import InsufficientHistoryError
    from quant.indicators import InsufficientDataError, InvalidBarsError
    from quant.risk import RiskInputError

    line = _first_line(err)
    if isinstance(err, UnknownTickerError):
        return ApiError(404, "unknown_ticker", line)
    if isinstance(err, EmptyRangeError):
        return ApiError(404, "no_data", line)
    if isinstance(err, DataUnavailableError | ProviderError):
        retry = {"Retry-After": str(RETRY_AFTER_UNAVAILABLE_S)}
        return ApiError(503, "unavailable", line, headers=retry)
    if isinstance(err, DataError):
        return ApiError(400, "bad_request", line)
    if isinstance(err, InsufficientHistoryError | InsufficientDataError):
        return ApiError(422, "insufficient_history", f"not enough history: {line}")
    if isinstance(err, InvalidBarsError | RiskInputError):
        return ApiError(422, "unusable_input", line)
    return None


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, err: ApiError) -> Any:
        return _reply(err.status, err.code, err.message, err.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError) -> Any:
        problems = []
        for e in err.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path"))
            problems.append(f"{where}: {e.get('msg', 'invalid')}" if where else e.get("msg", ""))
        return _reply(422, "invalid_request", "; ".join(problems) or "invalid request")

    @app.exception_handler(HTTPException)
    async def _http(request: Request, err: HTTPException) -> Any:
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        return _reply(err.status_code, code, str(err.detail), dict(err.headers or {}))

    async def _known(request: Request, err: Exception) -> Any:
        found = classify(err)
        if found is None:  # a subclass classify does not place: a bug after all
            log.error("unclassified error on %s %s", request.method, request.url.path)
            return _reply(500, "internal", "internal error: the server log has the details")
        return _reply(found.status, found.code, found.message, found.headers)

    for kind in _known_errors():
        app.add_exception_handler(kind, _known)

    @app.exception_handler(Exception)
    async def _bug(request: Request, err: Exception) -> Any:
        # Starlette logs the exception with its traceback after this reply is sent
        return _reply(500, "internal", "internal error: the server log has the details")


def _known_errors() -> tuple[type[Exception], ...]:
    from quant.backtest.splits import InsufficientHistoryError
    from quant.indicators import InsufficientDataError, InvalidBarsError
    from quant.risk import RiskInputError

    return (
        DataError,
        InsufficientHistoryError,
        InsufficientDataError,
        InvalidBarsError,
        RiskInputError,
    )
