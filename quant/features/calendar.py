"""Calendar features, knowable on the bar's date without looking at later bars.

Month-end distances count weekdays (Monday-Friday) with ``numpy.busday_count``, not the
exchange's sessions: whether the next weekday is a holiday or an unscheduled closure is not
read from later bars, so the feature cannot leak their existence. "Turn of month" is the last
weekday of a month or one of the first three weekdays of a month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quant.arrays import FloatArray
from quant.features._stack import BarStack

TURN_OF_MONTH_START_DAYS = 3

DESCRIPTIONS: dict[str, str] = {
    "day_of_week": "0 = Monday .. 4 = Friday",
    "month": "1 .. 12",
    "day_of_month": "1 .. 31",
    "weekdays_since_month_start": "weekdays in the month before this date (0 on the first)",
    "weekdays_to_month_end": "weekdays in the month after this date (0 on the last)",
    "days_to_month_end": "calendar days to the month's last day",
    "turn_of_month": "1 on the last weekday or the first three weekdays of a month, else 0",
    "quarter_end_month": "1 in March, June, September and December, else 0",
    "days_since_prev_bar": "calendar days since the ticker's previous bar",
}
NAMES: tuple[str, ...] = tuple(DESCRIPTIONS)


def date_features(dates: pd.DatetimeIndex) -> dict[str, FloatArray]:
    """Every feature of ``NAMES`` except ``days_since_prev_bar``, one value per date."""
    days = dates.to_numpy(dtype="datetime64[D]")
    months = days.astype("datetime64[M]")
    month_start = months.astype("datetime64[D]")
    month_end = (months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    since_start = np.busday_count(month_start, days)
    to_end = np.busday_count(days + np.timedelta64(1, "D"), month_end + np.timedelta64(1, "D"))
    month = months.astype(np.int64) % 12 + 1
    out = {
        "day_of_week": (days.astype(np.int64) + 3) % 7,  # 1970-01-01 was a Thursday
        "month": month,
        "day_of_month": (days - month_start).astype(np.int64) + 1,
        "weekdays_since_month_start": since_start,
        "weekdays_to_month_end": to_end,
        "days_to_month_end": (month_end - days).astype(np.int64),
        "turn_of_month": (to_end == 0) | (since_start < TURN_OF_MONTH_START_DAYS),
        "quarter_end_month": month % 3 == 0,
    }
    return {name: values.astype("float64") for name, values in out.items()}


def bar_gap_features(stack: BarStack) -> dict[str, FloatArray]:
    """``days_since_prev_bar`` as a stack matrix (NaN on each ticker's first bar)."""
    days = stack.dates.astype("datetime64[D]")
    gap = np.full(stack.shape, np.nan)
    with np.errstate(invalid="ignore"):
        gap[1:] = (days[1:] - days[:-1]) / np.timedelta64(1, "D")
    return {"days_since_prev_bar": gap}
