"""A point-in-time summary of one price series: the numbers the data demo prints."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np
import pandas as pd

from core.asof import up_to

TRADING_DAYS = 252


@dataclass(frozen=True, slots=True)
class PriceSummary:
    """Statistics of adjusted closes over the trailing ``window`` bars ending at ``as_of``.

    Returns are simple, volatility is the annualised standard deviation of daily log returns
    (ddof=1), drawdown is the worst peak-to-trough fall of the close inside the window.
    """

    as_of: date
    last_date: date
    last_close: float
    return_1y: float
    volatility_1y: float
    max_drawdown_1y: float
    from_52w_high: float
    bars: int

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["as_of"], out["last_date"] = self.as_of.isoformat(), self.last_date.isoformat()
        return out


def price_summary(close: pd.Series, *, as_of: date, window: int = TRADING_DAYS) -> PriceSummary:
    """Summarise ``close`` (date index, oldest first) using only bars on or before ``as_of``.

    Statistics that need more bars than exist are NaN. Raises ``ValueError`` when no bar is on
    or before ``as_of``.
    """
    series = up_to(close, as_of=as_of).dropna()
    if series.empty:
        raise ValueError(f"no closes on or before {as_of.isoformat()}")
    tail = series.iloc[-(window + 1) :]
    full = len(tail) == window + 1
    log_returns = np.diff(np.log(tail.to_numpy()))
    running_peak = np.maximum.accumulate(tail.to_numpy())
    drawdown = float(np.min(tail.to_numpy() / running_peak - 1.0))
    return PriceSummary(
        as_of=as_of,
        last_date=series.index[-1].date(),
        last_close=float(series.iloc[-1]),
        return_1y=float(tail.iloc[-1] / tail.iloc[0] - 1.0) if full else float("nan"),
        volatility_1y=float(np.std(log_returns, ddof=1) * np.sqrt(TRADING_DAYS))
        if full
        else float("nan"),
        max_drawdown_1y=drawdown if full else float("nan"),
        from_52w_high=float(series.iloc[-1] / tail.iloc[1:].max() - 1.0) if full else float("nan"),
        bars=len(series),
    )
