from __future__ import annotations

import pandas as pd
import pytest

from quant.risk import RiskInputError, correlation_cap, crowding

TICKERS = ["A", "B", "C", "D"]


def corr_matrix() -> pd.DataFrame:
    # A~B 0.9 (crowded), B~C 0.75 (crowded), A~C 0.6 (not), D uncorrelated with all
    values = [
        [1.0, 0.9, 0.6, 0.0],
        [0.9, 1.0, 0.75, 0.1],
        [0.6, 0.75, 1.0, -0.2],
        [0.0, 0.1, -0.2, 1.0],
    ]
    return pd.DataFrame(values, index=TICKERS, columns=TICKERS)


def test_crowded_positions_share_one_budget() -> None:
    w = pd.Series(0.02, index=TICKERS)
    assert crowding(w, corr=corr_matrix()).tolist() == [1, 2, 1, 0]
    capped = correlation_cap(w, corr=corr_matrix(), cap=0.7)
    assert capped.tolist() == pytest.approx([0.01, 0.02 / 3, 0.01, 0.02])


def test_a_long_short_pair_is_a_hedge_not_a_crowd() -> None:
    w = pd.Series({"A": 0.02, "B": -0.02})
    assert correlation_cap(w, corr=corr_matrix()).tolist() == [0.02, -0.02]
    w = pd.Series({"C": -0.02, "D": 0.02})  # corr -0.2 with opposite signs: +0.2, not > 0.7
    assert correlation_cap(w, corr=corr_matrix()).tolist() == [-0.02, 0.02]


def test_cap_and_zero_weights() -> None:
    w = pd.Series({"A": 0.02, "B": 0.0, "C": 0.02})
    assert crowding(w, corr=corr_matrix()).tolist() == [0, 0, 0]  # B is not held
    w = pd.Series(0.02, index=TICKERS)
    assert crowding(w, corr=corr_matrix(), cap=0.5).tolist() == [2, 2, 2, 0]
    assert crowding(w, corr=corr_matrix(), cap=1.0).tolist() == [0, 0, 0, 0]


def test_bad_inputs_raise() -> None:
    w = pd.Series(0.02, index=TICKERS)
    with pytest.raises(RiskInputError):
        correlation_cap(w, corr=corr_matrix().iloc[:3, :3])
    asym = corr_matrix()
    asym.loc["A", "B"] = 0.5
    with pytest.raises(RiskInputError):
        correlation_cap(w, corr=asym)
    with pytest.raises(RiskInputError):
        correlation_cap(w, corr=corr_matrix(), cap=1.5)
