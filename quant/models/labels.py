"""Forward-return labels: what the models learn to predict.

For each ticker and bar ``t`` and horizon ``h`` (in that ticker's own bars):

- ``ret_{h}d``: ``close(t + h) / close(t) - 1``, the forward simple return;
- ``up_{h}d``: 1.0 if that return is > 0, 0.0 otherwise (a flat bar is "not up");
- ``end_{h}d``: the date of bar ``t + h``, the first date on which the label is known.

Where ``t + h`` lies beyond the data, all three are missing (NaN / NaT) and are never filled:
the last ``h`` bars of every ticker have no label.

**These labels look forward by construction.** The label of row ``t`` is only known on
``end_{h}d``, so a model trained on row ``t`` has seen prices up to that date. Training must
therefore drop every row whose label end date is on or after the first date it is tested on:
``WalkForward``/``PurgedKFold`` purge ``h`` bars before each test window (checked by
``WalkForward.check_horizon``), and ``evaluate_walk_forward`` also drops any training row whose
``end_{h}d`` reaches the test window. Never use a label (or anything derived from it) as a
feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from pandas.api.typing import NaTType

HORIZONS: tuple[int, ...] = (1, 5, 20)


def return_column(horizon: int) -> str:
    return f"ret_{horizon}d"


def label_column(horizon: int) -> str:
    return f"up_{horizon}d"


def end_column(horizon: int) -> str:
    return f"end_{horizon}d"


def make_labels(
    closes: Mapping[str, pd.Series], *, horizons: Sequence[int] = HORIZONS
) -> pd.DataFrame:
    """Forward returns, up/down labels and label end dates for every ticker and horizon.

    closes: ticker -> adjusted close indexed by date (unique, increasing).
    Returns a frame indexed by (date, ticker), sorted, with columns ``ret_{h}d``, ``up_{h}d``
    (float64, NaN where unknown) and ``end_{h}d`` (datetime, NaT where unknown) for each h.
    """
    if not closes:
        raise ValueError("make_labels needs at least one ticker")
    if any(int(h) != h or h < 1 for h in horizons):
        raise ValueError(f"horizons must be positive integers, got {list(horizons)}")
    frames = [_one_ticker(ticker, close, horizons) for ticker, close in closes.items()]
    return pd.concat(frames).sort_index()


def _one_ticker(ticker: str, close: pd.Series, horizons: Sequence[int]) -> pd.DataFrame:
    dates = pd.DatetimeIndex(close.index)
    if not (dates.is_monotonic_increasing and dates.is_unique):
        raise ValueError(f"{ticker}: close must be indexed by unique, increasing dates")
    values = close.to_numpy(dtype=np.float64)
    columns: dict[str, object] = {}
    for h in horizons:
        ret = np.full(len(values), np.nan)
        ret[:-h] = values[h:] / values[:-h] - 1.0
        columns[return_column(h)] = ret
        columns[label_column(h)] = np.where(np.isnan(ret), np.nan, (ret > 0).astype(np.float64))
        columns[end_column(h)] = label_end_dates(dates, horizon=h)
    index = pd.MultiIndex.from_arrays([dates, [ticker] * len(dates)], names=["date", "ticker"])
    return pd.DataFrame(columns, index=index)


def label_end_dates(dates: pd.DatetimeIndex, *, horizon: int) -> pd.DatetimeIndex:
    """For each date of one ticker's bars, the date ``horizon`` bars later (NaT past the end)."""
    ends = pd.Series(dates).shift(-horizon)
    return pd.DatetimeIndex(ends)


def label_end_date(
    t: pd.Timestamp, *, horizon: int, dates: pd.DatetimeIndex
) -> pd.Timestamp | NaTType:
    """The date on which the ``horizon``-bar label of bar ``t`` is known (NaT past the end).

    dates: the ticker's bar dates; ``t`` must be one of them (``KeyError`` otherwise).
    """
    position = dates.get_loc(pd.Timestamp(t))
    if not isinstance(position, int):
        raise KeyError(f"{t} is not a unique date of the bars")
    target = position + horizon
    return dates[target] if target < len(dates) else pd.NaT
