"""Real bundled prices and a small feature panel built from them with pandas (independent of
``quant.features``), shared by the model tests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.providers.bundled import BundledProvider
from data.service import MarketData
from tests.quant.models._trained import Trained, train

END = date(2013, 2, 28)
TICKERS = ("AAPL", "MSFT")


def small_features(closes: dict[str, pd.Series]) -> pd.DataFrame:
    """Backward-looking features per ticker: lagged returns, momentum, volatility."""
    frames = []
    for ticker, close in closes.items():
        r = close.pct_change()
        frame = pd.DataFrame(
            {
                "ret_1": r,
                "ret_1_lag1": r.shift(1),
                "ret_1_lag2": r.shift(2),
                "mom_5": close / close.shift(5) - 1,
                "mom_20": close / close.shift(20) - 1,
                "vol_10": r.rolling(10).std(),
                "vol_20": r.rolling(20).std(),
            }
        )
        frame.index = pd.MultiIndex.from_arrays(
            [frame.index, [ticker] * len(frame)], names=["date", "ticker"]
        )
        frames.append(frame)
    return pd.concat(frames).sort_index().astype(np.float64)


@pytest.fixture(scope="session")
def closes() -> dict[str, pd.Series]:
    md = MarketData([BundledProvider()])
    return {
        t: md.bars(t, start=date(2006, 1, 1), end=END).frame["close"].astype(np.float64)
        for t in TICKERS
    }


@pytest.fixture(scope="session")
def features(closes: dict[str, pd.Series]) -> pd.DataFrame:
    return small_features(closes)


@pytest.fixture(scope="session")
def trained(features: pd.DataFrame, closes: dict[str, pd.Series]) -> Trained:
    """A small XGBoost model fitted at 2012-12-31 with its walk-forward record."""
    return train(features, closes)


def synthetic_panel(
    n_dates: int = 600, tickers: tuple[str, ...] = ("A", "B"), *, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """Features with a known logistic signal in ``x0`` (and noise columns), labels 0/1."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2010-01-04", periods=n_dates)
    index = pd.MultiIndex.from_product([dates, list(tickers)], names=["date", "ticker"])
    X = pd.DataFrame(
        rng.normal(size=(len(index), 5)), index=index, columns=[f"x{i}" for i in range(5)]
    )
    p = 1 / (1 + np.exp(-(1.5 * X["x0"] - 0.5 * X["x1"])))
    y = pd.Series((rng.random(len(index)) < p).astype(np.float64), index=index, name="up")
    return X, y
