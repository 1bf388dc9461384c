from __future__ import annotations

from datetime import date

import pytest

import tools.signal as signal_module
from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.signals.technical import technical_score
from tests.tools._truncated import Truncated
from tools.context import ToolContext
from tools.evidence import Evidence
from tools.forecast import NoModelError
from tools.signal import signal_evidence
from tools.technicals import technicals_evidence

AS_OF = date(2013, 2, 28)


@pytest.fixture(scope="module")
def market() -> MarketData:
    return MarketData([BundledProvider()])


def test_technical_only_signal_equals_the_technical_score(market: MarketData) -> None:
    ctx = ToolContext(as_of=AS_OF, market=market)
    evidence, supporting = signal_evidence(ctx, "MSFT")
    tech = technical_score(ctx.bars("MSFT").frame, as_of=AS_OF)
    v = evidence.values
    assert v["score"] == pytest.approx(tech.score)
    assert v["weights"] == {"technical": 1.0, "sentiment": 0.0, "ml": 0.0}
    assert v["components"]["ml"]["reason"] == "no models directory configured"
    assert v["components"]["sentiment"]["available"] is False
    assert v["action"] == "SELL"  # 0.410 on the confluence scale (SELL is 0.35..0.45)
    assert supporting == []
    assert "research" not in evidence.summary  # the disclaimer belongs to answers, not evidence


@pytest.mark.parametrize("as_of", [date(2008, 10, 15), date(2011, 8, 8), date(2012, 9, 19)])
def test_signal_has_no_look_ahead(market: MarketData, as_of: date) -> None:
    full = ToolContext(as_of=as_of, market=market)
    cut = ToolContext(as_of=as_of, market=MarketData([Truncated(as_of)]))
    a, _ = signal_evidence(full, "AAPL")
    b, _ = signal_evidence(cut, "AAPL")
    assert a.values == b.values and a.id == b.id
    assert technicals_evidence(full, "AAPL").values == technicals_evidence(cut, "AAPL").values


def _forecast(verdict: str, prob: float, leak: bool = False) -> Evidence:
    return Evidence.make(
        kind="forecast",
        tickers=["MSFT"],
        as_of=AS_OF,
        values={
            "prob_up": prob,
            "verdict": verdict,
            "leak_suspected": leak,
            "horizon_days": 5,
            "reasons": ["accuracy 56.0% >= 55% and beats 52.0%"],
        },
    )


def test_a_go_model_enters_with_its_weight(
    market: MarketData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        signal_module, "forecast_evidence", lambda ctx, ticker: _forecast("GO", 0.62)
    )
    ctx = ToolContext(as_of=AS_OF, market=market)
    evidence, supporting = signal_evidence(ctx, "MSFT")
    tech = technical_score(ctx.bars("MSFT").frame, as_of=AS_OF).score
    v = evidence.values
    assert v["weights"]["ml"] == pytest.approx(0.3 / 0.7)
    assert v["score"] == pytest.approx((0.4 * tech + 0.3 * 0.62) / 0.7)
    assert v["components"]["ml"]["details"]["evidence"] == supporting[0].id
    # (0.4 x 0.410 + 0.3 x 0.62) / 0.7 = 0.500: inside the HOLD band, so no position
    assert v["action"] == "HOLD" and v["position_size"] == 0.0


@pytest.mark.parametrize(
    ("verdict", "leak", "reason"), [("NO-GO", False, "model NO-GO"), ("GO", True, "probable leak")]
)
def test_no_go_or_leaking_models_are_left_out(
    market: MarketData, monkeypatch: pytest.MonkeyPatch, verdict: str, leak: bool, reason: str
) -> None:
    monkeypatch.setattr(
        signal_module, "forecast_evidence", lambda ctx, ticker: _forecast(verdict, 0.9, leak)
    )
    evidence, _ = signal_evidence(ToolContext(as_of=AS_OF, market=market), "MSFT")
    assert evidence.values["weights"]["ml"] == 0.0
    assert reason in evidence.values["components"]["ml"]["reason"]


def test_missing_model_is_reported_not_invented(market: MarketData, tmp_path) -> None:  # noqa: ANN001
    ctx = ToolContext(as_of=AS_OF, market=market, models_dir=tmp_path)
    with pytest.raises(NoModelError, match="signaldesk train MSFT"):
        signal_module.forecast_evidence(ctx, "MSFT")
    evidence, _ = signal_evidence(ctx, "MSFT")
    assert "signaldesk train MSFT" in evidence.values["components"]["ml"]["reason"]
