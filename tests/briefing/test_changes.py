from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from briefing.changes import new_items, what_changed
from briefing.models import BriefingReport, RiskSnapshot, TickerBrief
from retrieval.types import Document, NewsItem

BEFORE, NOW = date(2013, 2, 28), date(2013, 3, 8)


def brief(ticker: str, action: str | None, score: float | None, **extra: object) -> TickerBrief:
    status = "ok" if action else "failed"
    return TickerBrief(ticker=ticker, status=status, action=action, score=score, **extra)  # type: ignore[arg-type]


def report(as_of: date, briefs: list[TickerBrief]) -> BriefingReport:
    return BriefingReport(
        watchlist_key="K",
        watchlist=[b.ticker for b in briefs],
        weights={},
        as_of=as_of,
        created_at=datetime(2013, 3, 1, tzinfo=UTC),
        model="offline",
        tickers=briefs,
    )


class Docs:
    """Two items on each side of each boundary, for IBM."""

    def filings(self, ticker: str, *, start: date, end: date) -> list[Document]:
        docs = [
            Document(
                id=f"f{d.day}",
                kind="filing",
                ticker="IBM",
                form="10-K",
                available_on=d,
                source=f"{d}.htm",
                text="",
                title=f"10-K filed {d}",
            )
            for d in (BEFORE, date(2013, 3, 1), NOW, date(2013, 3, 11))
        ]
        return [d for d in docs if d.ticker == ticker and start <= d.available_on <= end]

    def calls(self, ticker: str, *, start: date, end: date) -> list[Document]:
        return []

    def news(self, ticker: str, *, start: date, end: date) -> list[NewsItem]:
        item = NewsItem(id="n", published=date(2013, 3, 4), tickers=("IBM",), title="IBM wins deal")
        return [item] if ticker in item.tickers and start <= item.published <= end else []


def test_flips_deltas_risk_models_and_coverage() -> None:
    risk = lambda v: RiskSnapshot(var_95=v, volatility_annual=0.2, drawdown_from_peak=-0.05)  # noqa: E731
    old = report(
        BEFORE,
        [
            brief(
                "IBM", "HOLD", 0.54, components={"technical": 0.54, "ml": None}, risk=risk(0.018)
            ),
            brief("MSFT", "HOLD", 0.47, ml_status="GO"),
            brief("AAPL", "SELL", 0.40),
        ],
    )
    new = [
        brief("IBM", "BUY", 0.58, components={"technical": 0.58, "ml": 0.6}, risk=risk(0.021)),
        brief("MSFT", "HOLD", 0.46, ml_status="NO-GO", ml_reason="model NO-GO: accuracy"),
        brief("AAPL", None, None, error="data down"),
        brief("GOOG", "HOLD", 0.5),
    ]
    changes = what_changed(old, new, as_of=NOW, documents=Docs())
    by = {c.ticker: c for c in changes.signals}
    assert set(by) == {"IBM", "MSFT"}
    assert by["IBM"].flipped and (by["IBM"].before, by["IBM"].after) == ("HOLD", "BUY")
    assert by["IBM"].score_delta == pytest.approx(0.04)
    assert by["IBM"].component_deltas == pytest.approx({"technical": 0.04})  # ml was absent
    assert not by["MSFT"].flipped and by["MSFT"].score_delta == pytest.approx(-0.01)
    var = next(m for m in changes.risk if m.metric == "var_95")
    assert (var.ticker, var.before, var.after) == ("IBM", 0.018, 0.021)
    assert var.delta == pytest.approx(0.003)
    assert [(m.ticker, m.before, m.after) for m in changes.models] == [("MSFT", "GO", "NO-GO")]
    assert changes.added == ["GOOG"] and changes.dropped == ["AAPL"]
    assert [(i.kind, i.date) for i in changes.new_items] == [
        ("filing", date(2013, 3, 1)),
        ("filing", NOW),
        ("news", date(2013, 3, 4)),
    ]  # the previous as-of day and days after this one are not "new"


def test_previous_must_be_earlier_and_new_items_need_a_source() -> None:
    old = report(NOW, [brief("IBM", "HOLD", 0.5)])
    with pytest.raises(ValueError, match="not before"):
        what_changed(old, [brief("IBM", "HOLD", 0.5)], as_of=NOW)
    earlier = report(BEFORE, [brief("IBM", "HOLD", 0.5)])
    assert what_changed(earlier, [brief("IBM", "HOLD", 0.5)], as_of=NOW).new_items == []
    assert new_items(Docs(), ["MSFT"], after=BEFORE, through=NOW) == []
