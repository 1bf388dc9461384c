"""Price spikes: bars whose prices are nonsense next to the bars before them.

Two rules, both judged only on the bar itself and the bars *before* it, so that the rows served
for an as-of date never change when later bars arrive (a bar's fate is final on its own day):

- ``wide_bar``: the bar's high is more than ``ratio`` times its low (a high of 1e9 on a $100
  stock). Any price inside the bar that is off by that much widens the range.
- ``price_spike``: the bar's adjusted close is more than ``ratio`` times above or below the
  adjusted close of the last bar that was kept. Because the reference is the last *kept* bar,
  the bar after a one-bar spike is judged against the good bar before the spike and is kept.
  A move that lasts (a real collapse, or prices switching units) cannot be told from a spike
  on its first day; the next bar confirms it (it is within ``ratio`` of the rejected bar), and
  from there on the new level is the reference. Such a move loses its first bar, not its
  return: the move shows from the last kept bar to the confirming one. The first bar of a
  window has nothing before it to be judged against and is kept (a window that starts on a
  spike serves it, and loses the next bar instead); the service checks the requested window.

The bound is deliberately far beyond real daily moves (the largest in the bundled data is
AAPL's -52% on 2000-09-29, a factor of 2.1; the default bound is 5), so it quarantines nonsense,
not news; smaller jumps are left to the ``outlier_return`` warning.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from data.bars import adjustment_factors

Finding = tuple[str, str, pd.DatetimeIndex]


def _num(value: float) -> str:
    return repr(round(float(value), 6))


def wide_bars(clean: pd.DataFrame, *, ratio: float) -> list[Finding]:
    """(rule, message, date) for each bar whose high is more than ``ratio`` times its low."""
    wide = np.flatnonzero((clean["high"] / clean["low"]).to_numpy() > ratio)
    days = pd.DatetimeIndex(clean.index)
    high, low = clean["high"].to_numpy(), clean["low"].to_numpy()
    return [
        (
            "wide_bar",
            f"high {_num(high[i])} is {high[i] / low[i]:.3g}x the low {_num(low[i])} on "
            f"{days[i]:%Y-%m-%d}, beyond the spike bound {ratio:g}x",
            days[i : i + 1],
        )
        for i in wide.tolist()
    ]


def _rejected(log_close: np.ndarray, bound: float) -> list[tuple[int, int]]:
    """(position, reference position) of each rejected bar, oldest first.

    Only bars that jump from the bar before them, and the bars after a rejected one, need the
    sequential walk; the rest are kept without looking at them one by one.
    """
    jumps = np.flatnonzero(np.abs(np.diff(log_close)) > bound) + 1
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(jumps):
        i = int(jumps[k])
        ref, pending = i - 1, -1
        while i < len(log_close):
            if abs(log_close[i] - log_close[ref]) <= bound or (
                pending >= 0 and abs(log_close[i] - log_close[pending]) <= bound
            ):
                break  # back to the reference level, or a new level that lasted
            out.append((i, ref))
            pending, i = i, i + 1
        k = int(np.searchsorted(jumps, i, side="right"))
    return out


def price_spikes(clean: pd.DataFrame, *, ratio: float) -> list[Finding]:
    """(rule, message, date) for each bar whose adjusted close jumps beyond ``ratio`` times the
    last kept bar's.

    clean: schema-valid raw bars, sorted, dates unique (see ``data.quality``).
    """
    if len(clean) < 2 or math.isinf(ratio):
        return []
    close = clean["close"].to_numpy()
    # ratios of adjusted closes do not depend on the bar the factors are rebased to
    adjusted = close * adjustment_factors(clean).to_numpy()
    days = pd.DatetimeIndex(clean.index)
    return [
        (
            "price_spike",
            f"close {_num(close[i])} on {days[i]:%Y-%m-%d} is {adjusted[i] / adjusted[ref]:.3g}x"
            f" the close {_num(close[ref])} of {days[ref]:%Y-%m-%d} (adjusted for splits and"
            f" dividends), beyond the spike bound {ratio:g}x either way",
            days[i : i + 1],
        )
        for i, ref in _rejected(np.log(adjusted), math.log(ratio))
    ]
