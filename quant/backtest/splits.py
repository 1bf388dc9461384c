"""Time-ordered splits that never train on information from the test period.

``WalkForward``: rolling (or expanding) train windows followed by a test window, repeated
through the history. ``PurgedKFold``: contiguous folds inside one training window, for
out-of-fold predictions (stacking, calibration). Both drop the bars whose labels would overlap
the test period (purge) and a further safety margin (embargo); the gap between the last train
bar and the first test bar is ``purge + embargo`` bars, which must cover the label horizon.

Folds are described by dates, so they apply to a single series or to a (date, ticker) panel:
``fold.train_mask(index)`` and ``fold.test_mask(index)`` select rows of any date index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from quant.arrays import BoolArray, IntArray


class InsufficientHistoryError(ValueError):
    """Too little history for the requested folds; the message says how much is needed."""


@dataclass(frozen=True, slots=True)
class Fold:
    """One train/test split, inclusive date bounds."""

    number: int
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp

    def train_mask(self, index: pd.Index) -> BoolArray:
        dates = _dates_of(index)
        return np.asarray((dates >= self.train_start) & (dates <= self.train_end))

    def test_mask(self, index: pd.Index) -> BoolArray:
        dates = _dates_of(index)
        return np.asarray((dates >= self.test_start) & (dates <= self.test_end))

    def to_dict(self) -> dict[str, object]:
        return {
            "fold": self.number,
            "train": [f"{self.train_start:%Y-%m-%d}", f"{self.train_end:%Y-%m-%d}"],
            "test": [f"{self.test_start:%Y-%m-%d}", f"{self.test_end:%Y-%m-%d}"],
        }


def _dates_of(index: pd.Index) -> pd.DatetimeIndex:
    if isinstance(index, pd.MultiIndex):
        return pd.DatetimeIndex(index.get_level_values(0))
    return pd.DatetimeIndex(index)


def _unique_sorted(index: pd.Index) -> pd.DatetimeIndex:
    dates = _dates_of(index)
    return pd.DatetimeIndex(dates.unique()).sort_values()


@dataclass(frozen=True, slots=True)
class WalkForward:
    """Walk-forward folds: train ``train_months``, then test ``test_months``, step by the test.

    purge: bars dropped from the end of each train window (at least the label horizon).
    embargo: further bars dropped, a margin for serial correlation.
    expanding: train from the first date instead of a rolling window.
    min_folds: raise ``InsufficientHistoryError`` when fewer folds fit.
    min_test_bars: a last, partial test window shorter than this is dropped.
    """

    train_months: int = 12
    test_months: int = 3
    purge: int = 20
    embargo: int = 0
    expanding: bool = False
    min_folds: int = 8
    min_test_bars: int = 20

    @property
    def gap(self) -> int:
        return self.purge + self.embargo

    def check_horizon(self, horizon: int) -> None:
        """Raise ``ValueError`` if the gap is shorter than a label horizon (look-ahead)."""
        if self.gap < horizon:
            raise ValueError(
                f"purge + embargo = {self.gap} bars is shorter than the label horizon "
                f"{horizon}: training labels would see the test period"
            )

    def split(self, index: pd.Index) -> list[Fold]:
        """The folds over the dates of ``index`` (a DatetimeIndex or a (date, ...) MultiIndex)."""
        dates = _unique_sorted(index)
        if dates.empty:
            raise InsufficientHistoryError("no dates to split")
        folds = list(self._folds(dates))
        if len(folds) < self.min_folds:
            months = self.train_months + self.min_folds * self.test_months
            raise InsufficientHistoryError(
                f"only {len(folds)} walk-forward folds fit in {dates[0]:%Y-%m-%d}.."
                f"{dates[-1]:%Y-%m-%d}; {self.min_folds} need about {months} months of history "
                f"({self.train_months} train + {self.min_folds} x {self.test_months} test)"
            )
        return folds

    def _folds(self, dates: pd.DatetimeIndex) -> Iterator[Fold]:
        # test windows are anchored on calendar months from the first date, so they do not drift
        anchor = dates[0] + pd.DateOffset(months=self.train_months)
        number, k = 0, 0
        while True:
            nominal = anchor + pd.DateOffset(months=k * self.test_months)
            stop = anchor + pd.DateOffset(months=(k + 1) * self.test_months)
            k += 1
            first = int(dates.searchsorted(nominal, side="left"))
            last = int(dates.searchsorted(stop, side="left")) - 1
            if first >= len(dates) or last - first + 1 < self.min_test_bars:
                return
            train_last = first - 1 - self.gap
            train_from = (
                dates[0] if self.expanding else nominal - pd.DateOffset(months=self.train_months)
            )
            train_first = int(dates.searchsorted(train_from, side="left"))
            if train_last >= train_first:
                yield Fold(
                    number=number,
                    train_start=dates[train_first],
                    train_end=dates[train_last],
                    test_start=dates[first],
                    test_end=dates[last],
                )
                number += 1


@dataclass(frozen=True, slots=True)
class PurgedKFold:
    """Contiguous time blocks; each block is the test once, the rest train, minus a purge before
    and an embargo after the test block (in bars of the unique dates)."""

    n_splits: int = 5
    purge: int = 20
    embargo: int = 5

    def split(self, index: pd.Index) -> Iterator[tuple[IntArray, IntArray]]:
        """Yield (train_rows, test_rows) as integer positions into ``index``."""
        dates = _dates_of(index)
        unique = _unique_sorted(index)
        if len(unique) < 2 * self.n_splits:
            raise InsufficientHistoryError(
                f"{len(unique)} dates are too few for {self.n_splits} purged folds"
            )
        codes = unique.get_indexer(dates)
        bounds = np.linspace(0, len(unique), self.n_splits + 1).astype(int)
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
            test = (codes >= lo) & (codes < hi)
            train = (codes < lo - self.purge) | (codes >= hi + self.embargo)
            yield np.flatnonzero(train), np.flatnonzero(test)
