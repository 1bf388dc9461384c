"""Briefings over HTTP: the latest stored one of a watchlist, one by id, and a new run started
as a job (``POST /v1/briefings`` answers at once with the job; ``GET /v1/jobs/{id}`` follows
it: state, tickers done of total, and the briefing's id once stored)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Security
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.errors import ApiError, documented
from api.jobs import JobStore, Progress
from api.security import Caller, allowed, services_of
from api.services import Services
from core.asof import today

router = APIRouter(prefix="/v1", tags=["briefings"])

Reader = Annotated[Caller, Security(allowed, scopes=["read"])]
Briefer = Annotated[Caller, Security(allowed, scopes=["briefing"])]
_ERRORS = documented()


def _watchlist(spec: str) -> Any:  # noqa: ANN401 - briefing.Watchlist
    from briefing.watchlist import WatchlistError, parse_watchlist

    try:
        return parse_watchlist(spec)
    except WatchlistError as err:
        raise ApiError(422, "invalid_watchlist", str(err)) from None


def _store(services: Services) -> Any:  # noqa: ANN401 - briefing.BriefingStore
    from briefing import BriefingStore

    return BriefingStore(services.engine)


def _stored(briefing_id: int, report: Any) -> JSONResponse:
    return JSONResponse({"id": briefing_id, "briefing": report.model_dump(mode="json")})


@router.get("/briefings/latest", summary="The newest stored briefing", responses=_ERRORS)
def latest(
    request: Request,
    caller: Reader,
    watchlist: Annotated[
        str | None, Query(description="tickers, e.g. AAPL,MSFT (default: any watchlist)")
    ] = None,
) -> Any:
    store = _store(services_of(request))
    key = _watchlist(watchlist).key if watchlist else None
    found = store.latest_id(key)
    if found is None:
        what = f"watchlist {watchlist}" if watchlist else "any watchlist"
        raise ApiError(404, "not_found", f"no briefing stored for {what}: POST /v1/briefings")
    return _stored(found, store.by_id(found))


@router.get("/briefings/{briefing_id}", summary="A stored briefing by id", responses=_ERRORS)
def by_id(
    request: Request,
    briefing_id: Annotated[int, Path(ge=1, le=2**53, description="an id a run returned")],
    caller: Reader,
) -> Any:
    report = _store(services_of(request)).by_id(briefing_id)
    if report is None:
        raise ApiError(404, "not_found", f"no briefing {briefing_id}")
    return _stored(briefing_id, report)


class BriefingRequest(BaseModel):
    watchlist: str = Field(
        min_length=1, max_length=4000, description="tickers with optional weights: AAPL,MSFT:0.4"
    )
    as_of: date | None = Field(default=None, description="default: today")
    explain: bool = Field(
        default=True, description="false: the numbers only (signals, risk, portfolio), faster"
    )


class JobStarted(BaseModel):
    job_id: str
    state: str
    url: str


@router.post(
    "/briefings",
    status_code=202,
    response_model=JobStarted,
    summary="Start a briefing run",
    responses=_ERRORS,
)
def start(request: Request, body: BriefingRequest, caller: Briefer) -> JobStarted:
    services = services_of(request)
    watchlist = _watchlist(body.watchlist)
    day = body.as_of or today()
    if day > today():
        raise ApiError(400, "bad_request", f"as_of {day} is after today ({today()})")
    limit = services.settings.api_max_tickers
    if len(watchlist.tickers) > limit:
        raise ApiError(
            422, "too_many_tickers", f"{len(watchlist.tickers)} tickers: at most {limit}"
        )

    def work(progress: Progress) -> dict[str, Any]:
        from briefing import BriefingPlan, run_briefing

        agent = services.agent() if body.explain else None
        tools = services.context(day)
        store = _store(services)
        total = len(watchlist.tickers)
        done = [0]
        progress(0, total)

        def one(_: Any) -> None:
            done[0] += 1
            progress(done[0], total)

        report = run_briefing(
            agent,
            tools,
            watchlist=watchlist,
            plan=BriefingPlan(stale_after_days=services.settings.stale_after_days),
            previous=store.previous(watchlist.key, before=day),
            on_ticker=one,
            run_id=f"api-briefing-{uuid.uuid4().hex[:12]}",
        )
        return {
            "briefing_id": store.save(report),
            "complete": report.complete,
            "covered": len(report.covered),
            "stale": {t: d.isoformat() for t, d in report.stale.items()},
        }

    job_id = services.jobs.submit("briefing", key_id=caller.key_id, work=work)
    return JobStarted(job_id=job_id, state="queued", url=f"/v1/jobs/{job_id}")


class Job(BaseModel):
    id: str
    kind: str
    state: str
    done: int
    total: int
    result: dict[str, Any]
    error: str | None


@router.get("/jobs/{job_id}", response_model=Job, summary="A job's state", responses=_ERRORS)
def job(
    request: Request,
    job_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="the id a start returned")],
    caller: Reader,
) -> Job:
    found = JobStore(services_of(request).engine).get(job_id)
    if found is None or found.key_id != caller.key_id:  # another key's job does not exist
        raise ApiError(404, "not_found", f"no job {job_id}")
    return Job(
        id=found.id,
        kind=found.kind,
        state=found.state,
        done=found.done,
        total=found.total,
        result=found.result,
        error=found.error,
    )
