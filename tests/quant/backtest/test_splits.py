from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quant.backtest.splits import InsufficientHistoryError, PurgedKFold, WalkForward


def sessions(start: str = "2004-01-02", end: str = "2013-02-28") -> pd.DatetimeIndex:
    return pd.bdate_range(start, end)


def test_rolling_folds_are_ordered_gapped_and_non_overlapping() -> None:
    dates = sessions()
    folds = WalkForward(train_months=12, test_months=3, purge=20).split(dates)
    assert len(folds) >= 8
    for fold in folds:
        train = dates[fold.train_mask(dates)]
        test = dates[fold.test_mask(dates)]
        assert train.max() < test.min()
        # exactly purge bars between the last train bar and the first test bar
        assert dates.get_loc(test.min()) - dates.get_loc(train.max()) - 1 == 20
        # rolling: about 12 months of train, about 3 months of test
        assert 200 <= len(train) <= 262
        assert 55 <= len(test) <= 67 or (fold is folds[-1] and len(test) >= 20)
        assert fold.test_start.month in (1, 4, 7, 10) and fold.test_start.day <= 5
    for a, b in zip(folds[:-1], folds[1:], strict=True):
        assert a.test_end < b.test_start  # test windows tile the history without overlap
        assert dates.get_loc(b.test_start) == dates.get_loc(a.test_end) + 1
    assert folds[0].test_start == pd.Timestamp("2005-01-03")


def test_expanding_train_starts_at_the_first_date() -> None:
    dates = sessions()
    folds = WalkForward(expanding=True).split(dates)
    assert all(f.train_start == dates[0] for f in folds)


def test_panel_index_masks_every_ticker_row() -> None:
    dates = sessions("2010-01-01", "2013-01-01")
    panel = pd.MultiIndex.from_product([dates, ["AAPL", "MSFT"]], names=["date", "ticker"])
    fold = WalkForward(min_folds=1).split(panel)[0]
    assert fold.test_mask(panel).sum() == 2 * fold.test_mask(dates).sum()


def test_too_little_history_says_how_much_is_needed() -> None:
    with pytest.raises(InsufficientHistoryError, match="need about 36 months"):
        WalkForward().split(sessions("2012-01-02", "2013-02-28"))


def test_gap_must_cover_the_label_horizon() -> None:
    WalkForward(purge=20).check_horizon(20)
    with pytest.raises(ValueError, match="shorter than the label horizon 20"):
        WalkForward(purge=5).check_horizon(20)


def test_purged_kfold_drops_bars_around_each_test_block() -> None:
    dates = sessions("2010-01-01", "2011-12-30")
    folds = list(PurgedKFold(n_splits=4, purge=10, embargo=5).split(dates))
    assert len(folds) == 4
    covered = np.concatenate([test for _, test in folds])
    assert sorted(covered.tolist()) == list(range(len(dates)))
    for train, test in folds:
        lo, hi = test.min(), test.max()
        assert not set(train) & set(range(lo - 10, hi + 6))
        assert len(train) + len(test) + min(10, lo) + min(5, len(dates) - 1 - hi) == len(dates)
