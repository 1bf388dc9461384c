"""Every weight and threshold of the signal, as configuration (defaults from the specification).

Technical score in [0, 1] = RSI 25% + MACD 25% + moving averages 30% + Bollinger 20%, mapped to
an action by ``technical_thresholds``. Confluence = technical 40% + sentiment 30% + ML 30%,
renormalised over the parts available, mapped by ``confluence_thresholds``. Load a file with
``SignalConfig.from_file`` (JSON or TOML) to change any of it; the backtest reports how it did.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Thresholds(_Frozen):
    """Score cut points: s < strong_sell -> STRONG SELL; s < sell -> SELL; s <= buy -> HOLD;
    s <= strong_buy -> BUY; otherwise STRONG BUY."""

    strong_sell: float = Field(ge=0, le=1)
    sell: float = Field(ge=0, le=1)
    buy: float = Field(ge=0, le=1)
    strong_buy: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if not self.strong_sell <= self.sell <= self.buy <= self.strong_buy:
            raise ValueError("thresholds must satisfy strong_sell <= sell <= buy <= strong_buy")
        return self


class _Weights(_Frozen):
    """Weights of a weighted mean, each finite with a finite sum (weights of 1e308 would
    overflow to an infinite sum and every weighted score to 0 or NaN)."""

    @model_validator(mode="after")
    def _finite(self) -> _Weights:
        values = [float(v) for v in self.model_dump().values()]
        if not all(math.isfinite(v) for v in values) or not math.isfinite(sum(values)):
            raise ValueError("weights must be finite numbers with a finite sum (e.g. 0.4)")
        return self


class TechnicalWeights(_Weights):
    rsi: float = Field(default=0.25, ge=0)
    macd: float = Field(default=0.25, ge=0)
    moving_averages: float = Field(default=0.30, ge=0)
    bollinger: float = Field(default=0.20, ge=0)


class TechnicalRules(_Frozen):
    """How each technical component maps to [0, 1]."""

    rsi_period: int = 14
    rsi_center: float = 70.0  # component = clip((rsi_center - RSI) / rsi_span, 0, 1)
    rsi_span: float = 40.0
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    macd_bull: float = 0.6  # MACD above its signal line
    macd_bear: float = 0.4
    sma_fast: int = 50
    sma_slow: int = 200
    ma_bull: float = 0.8  # close > SMA50 > SMA200; graded linearly down to ma_bear
    ma_bear: float = 0.2  # close < SMA50 < SMA200
    bb_period: int = 20
    bb_stdev: float = 2.0
    bb_below: float = 0.3  # close below the lower band
    bb_inside: float = 0.5
    bb_above: float = 0.7  # close above the upper band


class ConfluenceWeights(_Weights):
    technical: float = Field(default=0.40, ge=0)
    sentiment: float = Field(default=0.30, ge=0)
    ml: float = Field(default=0.30, ge=0)


class SentimentWeights(_Weights):
    last_week: float = Field(default=0.40, ge=0)
    weeks_1_to_4: float = Field(default=0.30, ge=0)
    earnings_calls: float = Field(default=0.30, ge=0)


class PositionSizes(_Frozen):
    """Suggested position per action, as a fraction of equity (before risk scaling)."""

    strong_buy: float = 0.02
    buy: float = 0.01
    hold: float = 0.0
    sell: float = -0.01
    strong_sell: float = -0.02


class SignalConfig(_Frozen):
    technical_weights: TechnicalWeights = TechnicalWeights()
    technical_rules: TechnicalRules = TechnicalRules()
    technical_thresholds: Thresholds = Thresholds(
        strong_sell=0.30, sell=0.40, buy=0.60, strong_buy=0.70
    )
    confluence_weights: ConfluenceWeights = ConfluenceWeights()
    confluence_thresholds: Thresholds = Thresholds(
        strong_sell=0.35, sell=0.45, buy=0.55, strong_buy=0.65
    )
    sentiment_weights: SentimentWeights = SentimentWeights()
    position_sizes: PositionSizes = PositionSizes()
    max_position: float = Field(default=0.02, gt=0, le=1)  # cap after Kelly/vol scaling
    ml_horizon: int = Field(default=5, ge=1, le=60)  # forecast horizon (bars) of the ML part
    target_volatility: float = Field(default=0.15, gt=0)  # annualised, for volatility scaling

    @classmethod
    def from_file(cls, path: Path) -> SignalConfig:
        """Load from a .json or .toml file; unknown keys are an error."""
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text) if str(path).endswith(".toml") else json.loads(text)
        return cls.model_validate(data)

    def fingerprint(self) -> str:
        """A short hash identifying this configuration (stored beside every signal)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]
