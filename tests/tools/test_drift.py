"""Drift of trained models and of their data, on simulated CSV tickers: SHFT's volatility
triples from 2012-06-01, CALM's never changes; both models are trained on 2012-05-31."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from data.providers.files import FileProvider
from data.service import MarketData
from quant.models import ModelRegistry
from tests.quant._drift_bars import SHIFT_AT, universe, write_csv
from tests.quant.models._cards import save_card, trained_small
from tools.context import ToolContext
from tools.drift import data_quality, drift_report, models_in_use
from tools.forecast import train

TRAINED = date(2012, 5, 31)
VOLATILITY = ("vol_10d", "vol_20d", "vol_parkinson_20d", "vol_gk_20d", "atr_14_pct")


def _ctx(folder: Path, as_of: date, models: Path | None) -> ToolContext:
    return ToolContext(as_of=as_of, market=MarketData([FileProvider(folder)]), models_dir=models)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the CSV folder, the models folder holding SHFT's and CALM's 5-day models)."""
    root = tmp_path_factory.mktemp("drift")
    folder = write_csv(root / "bars", universe())
    ctx = _ctx(folder, TRAINED, root / "models")
    for ticker in ("SHFT", "CALM"):
        train(ctx, ticker, horizons=(5,), kind="xgb", created_at=datetime(2024, 1, 1, tzinfo=UTC))
    return folder, root / "models"


@pytest.mark.slow
def test_the_planted_shift_drifts_and_the_calm_model_does_not(lab: tuple[Path, Path]) -> None:
    folder, models = lab
    report = drift_report(
        _ctx(folder, date(2012, 12, 31), models), window_days=60, stale_after_days=7
    )
    assert report.failed == {}
    by_ticker = {m.tickers: m for m in report.models}
    shifted, calm = by_ticker[("SHFT",)], by_ticker[("CALM",)]
    for model in (shifted, calm):
        assert model.reference_verified  # the training window rebuilt is the one trained on
        assert model.trained_as_of == TRAINED and model.train_end < TRAINED
        assert model.recent_rows == 60 and model.recent_end == date(2012, 12, 31)
        assert model.recent_start > date.fromisoformat(SHIFT_AT) and model.recent_in_training == 0
        assert len(model.features) + len(model.not_compared) == 135
        assert "month" in model.not_compared
    assert shifted.drifted and set(VOLATILITY) <= set(shifted.drifted_features)
    psi = {r.feature: r.psi or 0.0 for r in shifted.features}
    ranked = [psi[f] for f in shifted.drifted_features]
    assert ranked == sorted(ranked, reverse=True)
    assert set(shifted.drifted_features) == {r.feature for r in shifted.features if r.drifted}
    assert not [f for f in calm.drifted_features if not f.startswith("cs_")]
    assert [q.ticker for q in report.data] == ["CALM", "SHFT"]
    for q in report.data:
        assert (q.stale_days, q.stale, q.missing_sessions, q.quarantined) == (0, False, 0, 0)


@pytest.mark.slow
def test_drift_on_data_cut_at_t_equals_drift_on_the_full_data(
    lab: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, models = lab
    t = date(2012, 10, 31)
    cut = write_csv(tmp_path / "cut", universe(), end=t.isoformat())
    full = drift_report(_ctx(folder, t, models), window_days=60, stale_after_days=7)
    short = drift_report(_ctx(cut, t, models), window_days=60, stale_after_days=7)
    assert full.models and full.model_dump() == short.model_dump()
    assert max(m.recent_end for m in full.models) == t
    # a model trained after the as-of date is not in use yet
    before = drift_report(
        _ctx(folder, date(2012, 5, 30), models), window_days=60, stale_after_days=7
    )
    assert before.models == () and before.data == ()
    assert models_in_use(ModelRegistry(models), as_of=date(2012, 5, 30)) == []


def test_data_quality_counts_staleness_gaps_and_quarantined_bars(tmp_path: Path) -> None:
    frames = universe()
    calm = frames["CALM"].copy()
    gone = pd.DatetimeIndex(["2012-12-04", "2012-12-05", "2012-03-01"])  # two recent, one old
    calm = calm.drop(gone)
    bad = calm.index == pd.Timestamp("2012-12-12")
    calm["high"] = calm["high"].where(~bad, 0.9 * calm["low"])  # high < low on 2012-12-12
    folder = write_csv(tmp_path / "bars", {"CALM": calm})
    market = MarketData([FileProvider(folder)])
    q = data_quality(market, "CALM", as_of=date(2013, 1, 15), window_days=60, stale_after_days=7)
    assert q.last_bar == date(2012, 12, 31) and q.stale_days == 15 and q.stale
    assert q.window_bars == 60 and q.window_start is not None
    assert q.missing_sessions == 2 and q.gaps == ("2 sessions missing 2012-12-04..2012-12-05",)
    assert q.quarantined == 1 and q.quarantined_dates == (date(2012, 12, 12),)
    assert any("high_ge_low" in r for r in q.quarantine_reasons)
    fresh = data_quality(
        market, "CALM", as_of=date(2012, 12, 31), window_days=60, stale_after_days=7
    )
    assert (fresh.stale_days, fresh.stale) == (0, False)
    no_calendar = MarketData([FileProvider(folder)], calendar=None)
    bare = data_quality(
        no_calendar, "CALM", as_of=date(2013, 1, 15), window_days=60, stale_after_days=7
    )
    assert bare.missing_sessions is None and bare.quarantined == 1
    unknown = data_quality(
        market, "ZZZZ", as_of=date(2013, 1, 15), window_days=60, stale_after_days=7
    )
    assert unknown.error is not None and "ZZZZ" in unknown.error and unknown.last_bar is None


def test_models_in_use_are_the_champions_at_the_date(tmp_path: Path) -> None:
    """A challenger is not in use until its promotion takes effect; one champion per slot."""
    trained, registry = trained_small(), ModelRegistry(tmp_path / "models")
    old = save_card(
        registry, trained, as_of=date(2012, 6, 29), created=datetime(2012, 7, 2, tzinfo=UTC)
    )
    challenger = save_card(
        registry, trained, as_of=date(2012, 12, 31), created=datetime(2013, 1, 2, tzinfo=UTC),
        challenger=True, parent=old.model_id,
    )  # fmt: skip
    msft = save_card(
        registry, trained, as_of=date(2012, 12, 31), created=datetime(2013, 1, 2, tzinfo=UTC),
        tickers=("MSFT",),
    )  # fmt: skip
    day = date(2013, 1, 31)
    assert models_in_use(registry, as_of=day) == [old, msft]
    registry.promote(
        challenger.model_id, as_of=day, at=datetime(2013, 1, 31, 18, tzinfo=UTC), reason="better"
    )
    assert models_in_use(registry, as_of=date(2013, 1, 30)) == [old, msft]
    assert models_in_use(registry, as_of=day) == [challenger, msft]
    assert models_in_use(registry, as_of=day, tickers=["AAPL"]) == [challenger]
    assert models_in_use(registry, as_of=date(2012, 7, 1), tickers=["MSFT"]) == [old]
