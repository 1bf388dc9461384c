"""The loop's data jobs: stale or unreadable data raise their alerts, de-duplicated; a load
into the database that fails is alerted and the other tickers go on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from data.errors import ProviderError
from data.providers.bundled import BundledProvider
from data.service import MarketData
from data.store import BarStore, make_engine, upgrade
from loop.jobs import DayReport
from quant.track.policy import RetrainPolicy
from tests.loop._loop import make_loop
from tests.tools._truncated import Truncated


class Broken(BundledProvider):
    """The bundled provider, down for one ticker."""

    def fetch(self, ticker: str, *, start: date | None, end: date):  # noqa: ANN201
        if ticker == "MSFT":
            raise ProviderError("bundled", "file unreadable", transient=False)
        return super().fetch(ticker, start=start, end=end)


def test_stale_data_raise_one_alert_per_last_bar(tmp_path: Path):
    loop = make_loop(tmp_path, Truncated(date(2012, 3, 1)), ["IBM"], policy=RetrainPolicy())
    kinds = []
    for day in (date(2012, 3, 5), date(2012, 3, 12), date(2012, 3, 13)):
        report = DayReport(day=day)
        loop.refresh(day, report)
        kinds.append([(a.alert.kind, a.status) for a in report.alerts])
    assert kinds == [[], [("data_stale", "unsent")], [("data_stale", "suppressed")]]
    assert report.data["IBM"].stale_days == 12


def test_an_unreadable_ticker_raises_a_data_refresh_alert_and_others_go_on(tmp_path: Path):
    loop = make_loop(tmp_path, Broken(), ["MSFT", "IBM"], policy=RetrainPolicy())
    report = DayReport(day=date(2012, 3, 5))
    loop.refresh(report.day, report)
    assert [(a.alert.kind, a.alert.key) for a in report.alerts] == [
        ("data_refresh", "data_refresh:MSFT")
    ]
    assert report.data["IBM"].error is None and report.data["IBM"].last_bar == date(2012, 3, 5)


def test_the_refresh_loads_the_recent_bars_and_alerts_a_failed_load(tmp_path: Path):
    loop = make_loop(tmp_path, BundledProvider(), ["MSFT", "IBM"], policy=RetrainPolicy())
    engine = make_engine(f"sqlite:///{tmp_path / 'bars.db'}")
    upgrade(engine)
    store = BarStore(engine)
    report = DayReport(day=date(2012, 3, 5))
    loop.refresh(report.day, report, load_from=MarketData([Broken()]), bar_store=store)
    loaded = {r["ticker"]: r for r in report.loaded}
    assert "error" in loaded["MSFT"]
    assert loaded["IBM"]["inserted"] == 7  # 2012-02-24..03-05: 7 sessions
    assert [a.alert.key for a in report.alerts] == ["data_refresh:MSFT"]
