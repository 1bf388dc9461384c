"""The portfolio panel: the watchlist held at its weights, measured at the as-of date.

Daily simple returns of the covered tickers over the last ``lookback`` days on which every one
of them traded (complete cases, so every method sees the same history); weights renormalised
over the covered tickers. Reported: the correlation matrix, 1-day and 10-day VaR/CVaR at 95%
and 99% (historical simulation and Monte Carlo from the fitted multivariate normal), annual
volatility, the realised maximum and current drawdown of the rebalanced portfolio over the
window, concentration (Herfindahl index, effective number of positions, largest weight) and each
ticker's share of the 95% 1-day normal VaR (Euler contributions, which sum to 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from briefing.models import PortfolioPanel, VaRRow
from core.asof import up_to
from quant.risk import (
    InsufficientDataError,
    component_var,
    portfolio_historical_var,
    portfolio_monte_carlo_var,
    portfolio_returns,
)
from tools.evidence import Evidence, Window

__all__ = [
    "LOOKBACK",
    "MIN_DAYS",
    "panel_evidence",
    "portfolio_evidence",
    "portfolio_panel",
    "returns_frame",
]

LOOKBACK = 500
MIN_DAYS = 60
LEVELS = (0.95, 0.99)
HORIZONS = (1, 10)


def returns_frame(closes: Mapping[str, pd.Series], *, as_of: date, lookback: int) -> pd.DataFrame:
    """Complete-case daily returns up to ``as_of``: the last ``lookback`` common days."""
    frame = pd.DataFrame({t: up_to(c, as_of=as_of) for t, c in closes.items()}).sort_index()
    returns = frame.pct_change(fill_method=None).dropna(how="any")
    return returns.iloc[-lookback:]


def _var_rows(returns: pd.DataFrame, weights: pd.Series, seed: int) -> list[VaRRow]:
    rows: list[VaRRow] = []
    for horizon in HORIZONS:
        for level in LEVELS:
            hist = portfolio_historical_var(
                returns, weights=weights, level=level, horizon_days=horizon
            )
            mc = portfolio_monte_carlo_var(
                returns,
                weights=weights,
                level=level,
                horizon_days=horizon,
                rng=np.random.default_rng([seed, horizon, int(level * 1000)]),
            )
            for r in (hist, mc):
                rows.append(
                    VaRRow(
                        method=r.method,
                        level=r.level,
                        horizon_days=r.horizon_days,
                        var=r.var,
                        cvar=r.cvar,
                        n_paths=r.n_paths,
                    )
                )
    return rows


def _rounded(corr: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {r: {c: round(float(corr.loc[r, c]), 6) for c in corr.columns} for r in corr.index}


def portfolio_panel(
    closes: Mapping[str, pd.Series],
    *,
    weights: Mapping[str, float],
    as_of: date,
    excluded: Mapping[str, str] | None = None,
    lookback: int = LOOKBACK,
    seed: int = 7,
) -> PortfolioPanel:
    """The panel for the tickers in ``closes`` (adjusted closes up to ``as_of``).

    weights: by ticker (those in ``closes`` are used and renormalised to sum to 1).
    excluded: tickers left out and why (shown with the panel).
    Raises ``InsufficientDataError`` with fewer than ``MIN_DAYS`` common days.
    """
    tickers = [t for t in weights if t in closes]
    if not tickers:
        raise InsufficientDataError("no covered ticker to build a portfolio from")
    w = pd.Series({t: float(weights[t]) for t in tickers})
    w = w / w.sum()
    returns = returns_frame({t: closes[t] for t in tickers}, as_of=as_of, lookback=lookback)
    if len(returns) < MIN_DAYS:
        raise InsufficientDataError(
            f"only {len(returns)} days on which every covered ticker traded; "
            f"the portfolio panel needs {MIN_DAYS}"
        )
    corr = returns.corr()
    upper = corr.to_numpy()[np.triu_indices(len(tickers), k=1)]
    daily = portfolio_returns(returns, weights=w)
    equity = (1.0 + daily).cumprod()
    peaks = np.maximum.accumulate(np.concatenate(([1.0], equity.to_numpy())))[1:]
    drawdowns = equity.div(peaks) - 1
    contributions = component_var(returns, weights=w, level=0.95, horizon_days=1)
    share = contributions.component_var / contributions.var
    rows = _var_rows(returns, w, seed)
    hhi = float((w**2).sum())
    values = {
        "tickers": tickers,
        "weights": {t: float(w[t]) for t in tickers},
        "excluded": dict(excluded or {}),
        "window_start": returns.index[0].date(),
        "window_end": returns.index[-1].date(),
        "n_days": len(returns),
        "correlation": _rounded(corr),
        "average_correlation": float(upper.mean()) if upper.size else None,
        "var": [r.model_dump() for r in rows],
        "volatility_annual": float(daily.std(ddof=1) * math.sqrt(252)),
        "max_drawdown": float(drawdowns.min()),
        "current_drawdown": float(drawdowns.iloc[-1]),
        "hhi": hhi,
        "effective_n": 1.0 / hhi,
        "max_weight": float(w.max()),
        "risk_share": {t: float(s) for t, s in zip(contributions.tickers, share, strict=True)},
        "seed": seed,
    }
    evidence = portfolio_evidence(values, as_of=as_of)
    return PortfolioPanel(**values, evidence_id=evidence.id)


def portfolio_evidence(values: dict, *, as_of: date) -> Evidence:
    """The panel's values as citable evidence (kind ``portfolio``)."""
    return Evidence.make(
        kind="portfolio",
        tickers=list(values["tickers"]),
        as_of=as_of,
        values={k: v for k, v in values.items() if k != "evidence_id"},
        window=Window(
            start=values["window_start"], end=values["window_end"], bars=values["n_days"]
        ),
        source={"method": "complete-case daily returns, weights renormalised over covered"},
        summary=f"Portfolio of {', '.join(values['tickers'])} as of {as_of}.",
    )


def panel_evidence(panel: PortfolioPanel, *, as_of: date) -> Evidence:
    """The evidence a stored panel was cited by (the same id ``portfolio_panel`` gave it)."""
    return portfolio_evidence(panel.model_dump(exclude={"evidence_id"}), as_of=as_of)
