from __future__ import annotations

import pandas as pd
import pytest

from quant.risk import DrawdownLimits, RiskInputError, drawdown_limits


def hand_built_equity() -> pd.Series:
    """Jan-Feb 2024 (Mondays: Jan 1, 8, 15, 22, 29, Feb 5), built to breach each limit once."""
    days = pd.bdate_range("2024-01-01", "2024-02-16")
    e = pd.Series(100.0, index=days)
    e["2024-01-03":] = 98.5  # Wed: -1.5% in a day -> daily breach
    e["2024-01-08":] = 97.8  # Mon..Wed: -0.7% a day, never a daily breach,
    e["2024-01-09":] = 97.1
    e["2024-01-10":] = 96.4  # but -2.13% week-to-date on Wed -> weekly breach
    e["2024-01-11":] = 96.5
    e["2024-01-16":] = 95.9  # Tue: -0.62% in the week, -4.1% month-to-date -> monthly breach
    e["2024-02-01":] = 96.0
    e["2024-02-06":] = 84.0  # Tue: -16% from the 100 peak -> hard stop (and daily, weekly...)
    e["2024-02-08":] = 100.0  # a full recovery does not lift the hard stop
    return e


def breach_days(frame: pd.DataFrame, column: str) -> list[str]:
    return [f"{d:%m-%d}" for d in frame.index[frame[column]]]


def test_limits_trigger_on_the_right_days() -> None:
    out = drawdown_limits(hand_built_equity())
    assert breach_days(out, "breach_daily") == ["01-03", "02-06"]
    # the week-to-date loss stays beyond 2% on Thu and Fri; the month's, to the end of January
    assert breach_days(out, "breach_weekly") == ["01-10", "01-11", "01-12", "02-06", "02-07"]
    assert breach_days(out, "breach_monthly") == ["01-16", "01-17", "01-18", "01-19"] + [
        f"01-{d}" for d in (22, 23, 24, 25, 26, 29, 30, 31)
    ] + ["02-06", "02-07"]
    assert breach_days(out, "breach_hard_stop") == ["02-06", "02-07"]
    assert out.loc["2024-01-10", "weekly_loss"] == pytest.approx(1 - 96.4 / 98.5)
    assert out.loc["2024-02-01", "monthly_loss"] == pytest.approx(1 - 96.0 / 95.9)  # base Jan 31


def test_breaches_cut_exposure_from_the_next_day_only() -> None:
    out = drawdown_limits(hand_built_equity())
    flat = [f"{d:%m-%d}" for d in out.index[out["exposure"] == 0.0]]
    # daily Jan 3 -> Jan 4; weekly first on Wed Jan 10 -> Thu, Fri; monthly first on Jan 16 ->
    # Jan 17..31, but not Feb 1 (a breach persisting to a period's end does not carry over);
    # hard stop Feb 6 -> every day from Feb 7, despite the recovery to 100 on Feb 8
    january = (
        ["01-04"]
        + ["01-11", "01-12"]
        + [f"01-{d}" for d in (17, 18, 19, 22, 23, 24, 25, 26, 29, 30, 31)]
    )
    february = [f"02-{d:02d}" for d in range(7, 17) if d not in (10, 11)]
    assert flat == january + february
    assert set(out["exposure"]) == {0.0, 1.0}
    # the breach day itself trades at full exposure
    for day in ("2024-01-03", "2024-01-10", "2024-01-16", "2024-02-06"):
        assert out.loc[day, "exposure"] == 1.0


def test_no_look_ahead() -> None:
    equity = hand_built_equity()
    full = drawdown_limits(equity)
    for cut in range(1, len(equity) + 1):
        pd.testing.assert_frame_equal(drawdown_limits(equity.iloc[:cut]), full.iloc[:cut])


def test_a_friday_breach_carries_to_monday_with_partial_scales() -> None:
    days = pd.bdate_range("2024-03-04", "2024-03-13")  # Mon Mar 4 .. Wed Mar 13
    e = pd.Series([100, 99.5, 99.0, 98.6, 97.9, 98.0, 98.0, 98.0], index=days)
    limits = DrawdownLimits(weekly_scale=0.5, daily_scale=0.25)
    out = drawdown_limits(e, limits=limits)
    assert breach_days(out, "breach_weekly") == ["03-08"]  # -2.1% on Friday, no daily breach
    assert out["exposure"].tolist() == [1, 1, 1, 1, 1, 0.5, 1, 1]


def test_bad_equity_raises() -> None:
    days = pd.bdate_range("2024-01-01", periods=3)
    with pytest.raises(RiskInputError):
        drawdown_limits(pd.Series([100.0, float("nan"), 99.0], index=days))
    with pytest.raises(RiskInputError):
        drawdown_limits(pd.Series([100.0, 0.0, 99.0], index=days))
    with pytest.raises(RiskInputError):
        drawdown_limits(pd.Series([100.0, 99.0, 98.0]))
    with pytest.raises(RiskInputError):
        DrawdownLimits(daily=1.5)
