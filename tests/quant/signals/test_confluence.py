from __future__ import annotations

from datetime import date

import pytest

from quant.signals.action import Action, classify
from quant.signals.config import SignalConfig, Thresholds
from quant.signals.confluence import Part, Sizing, confluence, position_size

DAY = date(2013, 2, 28)
ABSENT = Part(None, reason="no news in the window")


def test_all_parts_use_the_nominal_weights() -> None:
    sig = confluence(as_of=DAY, technical=Part(0.8), sentiment=Part(0.6), ml=Part(0.7))
    assert sig.weights == {"technical": 0.4, "sentiment": 0.3, "ml": 0.3}
    assert sig.score == pytest.approx(0.71)
    assert sig.action is Action.STRONG_BUY
    assert sig.position_size == 0.02


def test_absent_parts_are_renormalised_away_and_reported() -> None:
    sig = confluence(
        as_of=DAY, technical=Part(0.62), sentiment=ABSENT, ml=Part(None, reason="NO-GO")
    )
    assert sig.weights == {"technical": 1.0, "sentiment": 0.0, "ml": 0.0}
    assert sig.score == pytest.approx(0.62)
    assert sig.action is Action.BUY
    out = sig.to_dict()
    assert out["components"]["sentiment"] == {
        "score": None,
        "available": False,
        "weight": 0.0,
        "reason": "no news in the window",
        "details": {},
    }
    assert out["components"]["ml"]["reason"] == "NO-GO"


def test_two_parts_renormalise_to_their_relative_weights() -> None:
    sig = confluence(as_of=DAY, technical=Part(0.3), sentiment=Part(0.5), ml=ABSENT)
    assert sig.weights["technical"] == pytest.approx(0.4 / 0.7)
    assert sig.score == pytest.approx((0.4 * 0.3 + 0.3 * 0.5) / 0.7)


def test_nothing_available_is_an_error() -> None:
    with pytest.raises(ValueError, match="no signal part is available"):
        confluence(as_of=DAY, technical=ABSENT, sentiment=ABSENT, ml=ABSENT)


def test_scores_outside_the_unit_interval_are_rejected() -> None:
    with pytest.raises(ValueError, match="outside"):
        confluence(as_of=DAY, technical=Part(1.2), sentiment=ABSENT, ml=ABSENT)


@pytest.mark.parametrize(
    ("score", "action"),
    [
        (0.3499, Action.STRONG_SELL),
        (0.35, Action.SELL),
        (0.4499, Action.SELL),
        (0.45, Action.HOLD),
        (0.55, Action.HOLD),
        (0.5501, Action.BUY),
        (0.65, Action.BUY),
        (0.6501, Action.STRONG_BUY),
    ],
)
def test_confluence_thresholds(score: float, action: Action) -> None:
    assert classify(score, SignalConfig().confluence_thresholds) is action


def test_confidence_is_conviction_times_agreement_times_coverage() -> None:
    agree = confluence(as_of=DAY, technical=Part(0.9), sentiment=Part(0.9), ml=Part(0.9))
    assert agree.confidence == pytest.approx(0.8)
    split = confluence(as_of=DAY, technical=Part(0.9), sentiment=Part(0.1), ml=Part(0.9))
    # score 0.66: conviction 0.32, agreement 0.7 (technical + ml), coverage 1
    assert split.confidence == pytest.approx(0.32 * 0.7)
    partial = confluence(as_of=DAY, technical=Part(0.9), sentiment=ABSENT, ml=ABSENT)
    assert partial.confidence == pytest.approx(0.8 * 1.0 * 0.4)
    flat = confluence(as_of=DAY, technical=Part(0.5), sentiment=ABSENT, ml=ABSENT)
    assert flat.confidence == 0.0


def test_position_is_scaled_by_volatility_then_capped() -> None:
    config = SignalConfig()
    size, notes = position_size(Action.STRONG_BUY, Sizing(volatility=0.30), config)
    assert size == pytest.approx(0.01) and "target volatility" in notes[0]
    size, _ = position_size(Action.STRONG_SELL, Sizing(volatility=0.10), config)
    assert size == -0.02  # calm markets never scale above the configured size
    size, notes = position_size(Action.BUY, Sizing(kelly_cap=0.004), config)
    assert size == pytest.approx(0.004) and "Kelly" in notes[0]
    assert position_size(Action.HOLD, Sizing(volatility=0.5), config) == (
        0.0,
        ["HOLD: no position"],
    )


def test_configuration_changes_the_outcome() -> None:
    config = SignalConfig(
        confluence_thresholds=Thresholds(strong_sell=0.1, sell=0.2, buy=0.8, strong_buy=0.9)
    )
    sig = confluence(as_of=DAY, technical=Part(0.71), sentiment=ABSENT, ml=ABSENT, config=config)
    assert sig.action is Action.HOLD and sig.position_size == 0.0


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="strong_sell <= sell <= buy <= strong_buy"):
        Thresholds(strong_sell=0.5, sell=0.4, buy=0.6, strong_buy=0.7)


def test_config_round_trips_through_toml_and_has_a_fingerprint(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "signal.toml"
    path.write_text("max_position = 0.01\n[technical_weights]\nrsi = 0.5\n")
    config = SignalConfig.from_file(path)
    assert config.max_position == 0.01 and config.technical_weights.rsi == 0.5
    assert config.technical_weights.macd == 0.25
    assert config.fingerprint() != SignalConfig().fingerprint()
    assert len(config.fingerprint()) == 12
