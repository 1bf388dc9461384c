"""The briefing as data: one ``TickerBrief`` per ticker, the portfolio panel, what changed.

``BriefingReport`` is what is stored (``briefings.payload``), written as JSON, and rendered as
Markdown and HTML. Every number in it comes from code: the signal and risk evidence of each
ticker's agent run, the portfolio computation, and the comparison with the stored briefing
before it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.answer import Answer
from agent.runner import ToolStep
from agent.verifier import Verification
from tools.evidence import Evidence

__all__ = [
    "BriefingReport",
    "Changes",
    "ModelChange",
    "NewItem",
    "PortfolioPanel",
    "RiskMove",
    "RiskSnapshot",
    "SignalChange",
    "TickerBrief",
    "TickerStatus",
    "TrackLine",
    "VaRRow",
]

TickerStatus = Literal["ok", "failed", "timeout"]
MlStatus = Literal["GO", "NO-GO", "absent"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class RiskSnapshot(_Model):
    """One ticker's risk at the as-of date (1-day historical VaR/CVaR as loss fractions)."""

    var_95: float | None = None
    cvar_95: float | None = None
    var_99: float | None = None
    cvar_99: float | None = None
    volatility_annual: float | None = None
    drawdown_median: float | None = None  # bootstrap median worst drawdown over the next year
    drawdown_from_peak: float | None = None  # realised: close vs the 252-day high, <= 0
    evidence_id: str | None = None


class TrackLine(_Model):
    """How SignalDesk's own calls on the ticker did, as known on the briefing's as-of date
    (``briefing.track``): its signal calls at ``horizon_days``, the last ``last`` resolved of
    them (``scored``) beside always-buy and momentum on the same calls; rates None when none
    is scored (``hit_rate`` also when none of them took a side)."""

    horizon_days: int
    last: int
    calls: int  # every call at that horizon dated up to the as-of date
    resolved: int
    pending: int
    scored: int
    directional: int  # of the scored calls, those that took a side (not HOLD)
    hit_rate: float | None = None
    always_buy: float | None = None
    momentum: float | None = None


class TickerBrief(_Model):
    """One ticker of the briefing: its deterministic signal, its risk and the agent's cited
    explanation (a chat thread one can continue), or why it could not be covered."""

    ticker: str
    status: TickerStatus
    error: str | None = None
    action: str | None = None
    score: float | None = None
    confidence: float | None = None
    position_size: float | None = None
    regime: str | None = None
    components: dict[str, float | None] = Field(default_factory=dict)  # technical/sentiment/ml
    technical_components: dict[str, float] = Field(default_factory=dict)  # rsi/macd/ma/bollinger
    ml_status: MlStatus = "absent"
    ml_reason: str = ""
    signal_evidence_id: str | None = None
    risk: RiskSnapshot | None = None
    last_close: float | None = None
    last_bar: date | None = None
    question: str = ""
    thread_id: str | None = None
    answer: Answer | None = None
    verification: Verification | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    steps: list[ToolStep] = Field(default_factory=list)
    elapsed_s: float = 0.0
    track_record: TrackLine | None = None  # None: no database to read it from

    @property
    def verified(self) -> bool:
        return self.verification is not None and self.verification.ok


class VaRRow(_Model):
    method: str
    level: float
    horizon_days: int
    var: float
    cvar: float
    n_paths: int | None = None


class PortfolioPanel(_Model):
    """The watchlist as a portfolio (the covered tickers, weights renormalised over them)."""

    tickers: list[str]
    weights: dict[str, float]
    excluded: dict[str, str] = Field(default_factory=dict)  # ticker -> why it is left out
    window_start: date
    window_end: date
    n_days: int
    correlation: dict[str, dict[str, float]]
    average_correlation: float | None
    var: list[VaRRow]
    volatility_annual: float
    max_drawdown: float  # over the window, <= 0
    current_drawdown: float  # last day vs the window's peak, <= 0
    hhi: float  # Herfindahl index of the weights
    effective_n: float  # 1 / HHI
    max_weight: float
    risk_share: dict[str, float]  # share of the 95% 1-day normal VaR (Euler contributions)
    seed: int
    evidence_id: str


class SignalChange(_Model):
    ticker: str
    before: str | None
    after: str | None
    score_before: float | None
    score_after: float | None
    flipped: bool
    component_deltas: dict[str, float] = Field(default_factory=dict)

    @property
    def score_delta(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before


class RiskMove(_Model):
    ticker: str
    metric: Literal["var_95", "volatility_annual", "drawdown_from_peak"]
    before: float
    after: float

    @property
    def delta(self) -> float:
        return self.after - self.before


class NewItem(_Model):
    """A document dated after the previous briefing and on or before this one."""

    ticker: str
    kind: Literal["filing", "call", "news"]
    date: date
    title: str
    source: str = ""


class ModelChange(_Model):
    ticker: str
    before: MlStatus
    after: MlStatus
    reason: str = ""


class Changes(_Model):
    """What changed since the previous stored briefing of the same watchlist."""

    previous_as_of: date
    signals: list[SignalChange] = Field(default_factory=list)
    risk: list[RiskMove] = Field(default_factory=list)
    new_items: list[NewItem] = Field(default_factory=list)
    models: list[ModelChange] = Field(default_factory=list)
    added: list[str] = Field(default_factory=list)  # tickers covered now, not before
    dropped: list[str] = Field(default_factory=list)  # covered before, not now


class BriefingReport(_Model):
    """A whole briefing, as stored and rendered."""

    watchlist_key: str
    watchlist: list[str]
    weights: dict[str, float]
    as_of: date
    created_at: datetime
    model: str
    tickers: list[TickerBrief]
    portfolio: PortfolioPanel | None = None
    portfolio_error: str | None = None
    changes: Changes | None = None
    warnings: list[str] = Field(default_factory=list)
    elapsed_s: float = 0.0
    run_id: str | None = None
    # ticker -> its last bar, where that is well before the as-of date (a source that stopped)
    stale: dict[str, date] = Field(default_factory=dict)

    def brief(self, ticker: str) -> TickerBrief | None:
        return next((b for b in self.tickers if b.ticker == ticker), None)

    @property
    def covered(self) -> list[TickerBrief]:
        return [b for b in self.tickers if b.status == "ok"]

    @property
    def complete(self) -> bool:
        """Every ticker covered (its explanation, if any, verified) on data that is not stale,
        and the portfolio computed: a scheduled run on data that stopped is partial (exit 1)."""
        return (
            self.portfolio is not None
            and not self.stale
            and all(
                b.status == "ok" and (b.verification is None or b.verification.ok)
                for b in self.tickers
            )
        )
