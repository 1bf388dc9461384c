"""The computations, each the Evidence the CLI's ``--json`` prints: signal, technicals, risk,
forecast, prices, and a whole watchlist's signals in one request. Responses are cached (see
``api.cache``); ``X-Cache: hit`` marks a reused one."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.cache import cache_key
from api.errors import ApiError, classify, documented
from api.security import Caller, allowed, services_of
from api.services import Services
from core import metrics
from core.asof import today
from data.bars import normalize_ticker
from tools.context import ToolContext
from tools.evidence import Evidence

router = APIRouter(prefix="/v1", tags=["market"])

Reader = Annotated[Caller, Security(allowed, scopes=["read"])]
AsOf = Annotated[
    date | None,
    Query(
        description="compute as of this date (never sees later data); default: the data's "
        "last day offline, else today"
    ),
]
TICKER = r"^\s*\^?[A-Za-z0-9][A-Za-z0-9.\-=]{0,14}\s*$"  # data.bars.normalize_ticker's rule
Symbol = Annotated[str, Path(pattern=TICKER, description="a symbol, e.g. AAPL, BRK-B, ^GSPC")]
Ticker = Annotated[str, Field(pattern=TICKER)]
_ERRORS = documented()


def _day(services: Services, ticker: str | None, as_of: date | None) -> date:
    if as_of is None:
        return services.default_as_of(ticker)
    if as_of > today():
        raise ApiError(400, "bad_request", f"as_of {as_of} is after today ({today()})")
    return as_of


def _json(payload: Any) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)


def _cached(
    request: Request,
    endpoint: str,
    ticker: Symbol,
    as_of: date | None,
    params: dict[str, Any],
    compute: Callable[[ToolContext, str], Any],
) -> Response:
    services = services_of(request)
    symbol = normalize_ticker(ticker)
    day = _day(services, symbol, as_of)
    key = cache_key(endpoint, symbol, day, params, services.versions(symbol))
    hit = _get(services, key)
    if hit is not None:
        return Response(hit, media_type="application/json", headers={"X-Cache": "hit"})
    body = _json(compute(services.context(day), symbol))
    _put(services, key, body)
    return Response(body, media_type="application/json", headers={"X-Cache": "miss"})


def _get(services: Services, key: str) -> bytes | None:
    try:
        found = services.cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that is down only costs the computation
        metrics.CACHE_REQUESTS.labels("api", "error").inc()
        return None
    metrics.CACHE_REQUESTS.labels("api", "miss" if found is None else "hit").inc()
    return found


def _put(services: Services, key: str, body: bytes) -> None:
    with contextlib.suppress(Exception):  # not kept: the next request computes it again
        services.cache.put(key, body, ttl_s=services.settings.api_cache_ttl_s)


def _dump(evidence: Evidence) -> dict[str, Any]:
    return evidence.model_dump(mode="json")


def _signal(
    ctx: ToolContext, ticker: str, account_size: float | None, services: Services
) -> dict[str, Any]:
    from tools.signal import signal_evidence

    evidence, supporting = signal_evidence(ctx, ticker, account_size=account_size)
    _track(services, [evidence, *supporting])
    return {**_dump(evidence), "supporting": [_dump(e) for e in supporting]}


def _track(services: Services, evidence: list[Evidence]) -> None:
    """Calls served are recorded in the track record (source ``api``), once per key."""
    from agent.services import record_shown_calls

    record_shown_calls(services.settings, evidence, source="api", engine=services.engine)


@router.get("/signal/{ticker}", summary="The signal (action, confidence, size)", responses=_ERRORS)
def signal(
    request: Request,
    ticker: Symbol,
    caller: Reader,
    as_of: AsOf = None,
    account_size: Annotated[float | None, Query(gt=0, le=1e12)] = None,
) -> Any:
    return _cached(
        request,
        "signal",
        ticker,
        as_of,
        {"account_size": account_size},
        lambda ctx, t: _signal(ctx, t, account_size, services_of(request)),
    )


@router.get("/technicals/{ticker}", summary="Indicators and the technical score", responses=_ERRORS)
def technicals(request: Request, ticker: Symbol, caller: Reader, as_of: AsOf = None) -> Any:
    from tools.technicals import technicals_evidence

    return _cached(
        request, "technicals", ticker, as_of, {}, lambda c, t: _dump(technicals_evidence(c, t))
    )


@router.get(
    "/risk/{ticker}", summary="VaR and CVaR by four methods, drawdown risk", responses=_ERRORS
)
def risk(
    request: Request,
    ticker: Symbol,
    caller: Reader,
    as_of: AsOf = None,
    horizon: Annotated[int, Query(ge=1, le=252, description="N-day horizon besides 1 day")] = 10,
    levels: Annotated[
        list[float] | None, Query(description="confidence levels, e.g. 0.95 and 0.99")
    ] = None,
) -> Any:
    from tools.risk import risk_evidence

    chosen = tuple(levels or (0.95, 0.99))
    if len(chosen) > 5 or any(not 0.5 <= x < 1 for x in chosen):
        raise ApiError(422, "invalid_request", "levels: up to five values in [0.5, 1), e.g. 0.99")
    horizons = (1,) if horizon == 1 else (1, horizon)
    return _cached(
        request,
        "risk",
        ticker,
        as_of,
        {"horizons": horizons, "levels": chosen},
        lambda c, t: _dump(risk_evidence(c, t, horizons=horizons, levels=chosen)),
    )


@router.get("/forecast/{ticker}", summary="P(up) from the newest trained model", responses=_ERRORS)
def forecast(
    request: Request,
    ticker: Symbol,
    caller: Reader,
    as_of: AsOf = None,
    horizon: Annotated[int | None, Query(ge=1, le=60, description="bars ahead")] = None,
) -> Any:
    from tools.forecast import NoModelError, forecast_evidence

    def compute(ctx: ToolContext, symbol: str) -> Any:
        try:
            return _dump(forecast_evidence(ctx, symbol, horizon=horizon))
        except NoModelError as err:
            raise ApiError(404, "no_model", str(err)) from None

    return _cached(request, "forecast", ticker, as_of, {"horizon": horizon}, compute)


@router.get("/prices/{ticker}", summary="Adjusted daily bars with provenance", responses=_ERRORS)
def prices(
    request: Request,
    ticker: Symbol,
    caller: Reader,
    start: Annotated[date | None, Query(description="first day (default: all)")] = None,
    end: Annotated[date | None, Query(description="last day (default: as for as_of)")] = None,
) -> Any:
    def compute(ctx: ToolContext, symbol: str) -> Any:
        bars = ctx.bars(symbol, start=start)
        return {
            "ticker": bars.ticker,
            "rows": len(bars),
            "provenance": bars.provenance.to_dict(),
            "bars": bars.to_records(),
        }

    if start is not None and end is not None and start > end:
        raise ApiError(400, "bad_request", f"start {start} is after end {end}")
    return _cached(request, "prices", ticker, end, {"start": start}, compute)


class SignalsRequest(BaseModel):
    tickers: list[Ticker] = Field(min_length=1, description="symbols, at most api_max_tickers")
    as_of: date | None = None


@router.post("/signals", summary="The signals of a whole watchlist at once", responses=_ERRORS)
def signals(request: Request, body: SignalsRequest, caller: Reader) -> Any:
    """Every ticker's signal as ``GET /v1/signal`` gives it, or its own error; one ticker's
    failure does not fail the others. Computed in one vectorised pass (``tools.signal_batch``)
    for the tickers not in the cache, which ``GET /v1/signal`` shares."""
    from tools.signal_batch import SignalResult
    from tools.signal_batch import signals as batch

    services = services_of(request)
    limit = services.settings.api_max_tickers
    if len(body.tickers) > limit:
        raise ApiError(422, "too_many_tickers", f"{len(body.tickers)} tickers: at most {limit}")
    symbols = list(dict.fromkeys(normalize_ticker(t) for t in body.tickers))
    day = _day(services, None, body.as_of)
    keys = {
        t: cache_key("signal", t, day, {"account_size": None}, services.versions(t))
        for t in symbols
    }
    found: dict[str, Any] = {}
    for symbol, key in keys.items():
        hit = _get(services, key)
        if hit is not None:
            found[symbol] = {"ticker": symbol, "signal": orjson.loads(hit)}
    missing = [t for t in symbols if t not in found]
    outcomes = batch(services.context(day), missing) if missing else []
    _track(
        services,
        [e for o in outcomes if isinstance(o, SignalResult) for e in (o.evidence, *o.supporting)],
    )
    for outcome in outcomes:
        if isinstance(outcome, SignalResult):
            payload = {
                **_dump(outcome.evidence),
                "supporting": [_dump(e) for e in outcome.supporting],
            }
            _put(services, keys[outcome.ticker], _json(payload))
            found[outcome.ticker] = {"ticker": outcome.ticker, "signal": payload}
            continue
        known = classify(outcome.error)
        if known is None:
            raise outcome.error
        error = {"code": known.code, "message": known.message}
        found[outcome.ticker] = {"ticker": outcome.ticker, "error": error}
    results = [found[t] for t in symbols]
    return Response(_json({"as_of": day, "signals": results}), media_type="application/json")
