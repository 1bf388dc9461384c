"""Data quality for raw daily bars: report bad rows and quarantine them, never drop or fix them.

``check_bars`` runs three kinds of checks on a raw frame (see ``data.bars.to_raw_frame``):

- schema (errors; the rows are quarantined): prices positive and finite, ``high >= max(open,
  close)``, ``low <= min(open, close)``, ``high >= low``, volume present and ``>= 0``, adjusted
  close positive or NaN, dates unique (every copy of a duplicated date is bad) and increasing (the
  fewest rows that break the order are bad);
- exchange calendar (warnings): runs of missing sessions and bars dated on non-sessions, only
  between the first and the last bar;
- price spikes (errors; the rows are quarantined), on the rows that pass the schema: a bar whose
  high is more than ``spike_ratio`` times its low, or whose adjusted close is more than
  ``spike_ratio`` times above or below the last bar kept (see ``data._spikes``; judged only on
  earlier bars, so served history never changes when later bars arrive);
- series (warnings, on the rows kept): adjusted close-to-close moves beyond ``max_abs_return``
  (splits are not moves) and runs of zero volume.

``quarantine`` then splits the frame into the clean rows and the bad rows with their reasons.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from data import _calendar, _spikes
from data.bars import PRICE_COLUMNS, RAW_COLUMNS, adjustment_factors

__all__ = ["RAW_BARS_SCHEMA", "QualityIssue", "QualityReport", "check_bars", "quarantine"]

Severity = Literal["error", "warning"]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class QualityIssue:
    """One finding: the rule it breaks, how bad it is, a short message and the dates involved."""

    rule: str
    severity: Severity
    message: str
    dates: tuple[date, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "dates": [d.isoformat() for d in self.dates]}


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Everything ``check_bars`` found in one ticker's raw bars; ``quarantined`` lists bad dates."""

    ticker: str
    rows: int
    start: date | None
    end: date | None
    issues: tuple[QualityIssue, ...]
    quarantined: tuple[date, ...]

    @property
    def errors(self) -> tuple[QualityIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[QualityIssue, ...]:
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """True when nothing is an error (warnings allowed)."""
        return not self.errors

    def summary(self) -> str:
        """One line, e.g. ``AAPL: 3270 rows 2000-03-01..2013-03-01, 0 errors, 2 warnings``."""
        span = (
            f" {self.start.isoformat()}..{self.end.isoformat()}" if self.start and self.end else ""
        )
        counts = f"{_plural(len(self.errors), 'error')}, {_plural(len(self.warnings), 'warning')}"
        return f"{self.ticker}: {self.rows} rows{span}, {counts}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticker": self.ticker,
            "rows": self.rows,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "issues": [i.to_dict() for i in self.issues],
            "quarantined": [d.isoformat() for d in self.quarantined],
        }


# --- schema -----------------------------------------------------------------------------------


def _at_least(upper: pd.Series, lower: pd.Series) -> pd.Series:
    """upper >= lower where both are valid prices (other values have their own rules)."""
    valid = (upper > 0) & (lower > 0) & np.isfinite(upper) & np.isfinite(lower)
    return (upper >= lower) | ~valid


_POSITIVE = pa.Check(lambda s: s > 0, name="positive")
_FINITE = pa.Check(lambda s: np.isfinite(s), name="finite")

RAW_BARS_SCHEMA = pa.DataFrameSchema(
    {
        **{col: pa.Column(float, [_POSITIVE, _FINITE]) for col in PRICE_COLUMNS},
        "volume": pa.Column(float, pa.Check(lambda s: s >= 0, name="non_negative")),
        "adj_close": pa.Column(float, [_POSITIVE, _FINITE], nullable=True),
        "date": pa.Column(
            pa.DateTime,
            [
                pa.Check(lambda s: ~s.duplicated(keep=False), name="unique_dates"),
                pa.Check(_calendar.in_order, name="increasing_dates"),
            ],
        ),
    },
    checks=[
        pa.Check(
            lambda d: _at_least(d["high"], d[["open", "close"]].max(axis=1)),
            name="high_ge_open_close",
        ),
        pa.Check(
            lambda d: _at_least(d[["open", "close"]].min(axis=1), d["low"]),
            name="low_le_open_close",
        ),
        pa.Check(lambda d: _at_least(d["high"], d["low"]), name="high_ge_low"),
    ],
    name="raw daily bars",
)
"""Schema of raw bars with the date moved to a column (``raw.reset_index()``), so that failure
cases point at row positions even when dates are duplicated."""


def _num(value: float) -> str:
    return repr(round(float(value), 6))


def _row_message(rule: str, column: str | None, row: pd.Series, day: str) -> str:
    value = _num(row[column]) if column in RAW_COLUMNS else ""
    match rule:
        case "not_null":
            return f"{column} is {'NaT' if column == 'date' else 'NaN'} on {day}"
        case "positive":
            return f"{column} {value} <= 0 on {day}"
        case "finite":
            return f"{column} {value} is not finite on {day}"
        case "non_negative":
            return f"{column} {value} < 0 on {day}"
        case "high_ge_low":
            return f"high {_num(row['high'])} < low {_num(row['low'])} on {day}"
        case "high_ge_open_close":
            top = _num(max(row["open"], row["close"]))
            return f"high {_num(row['high'])} < max(open, close) {top} on {day}"
        case "low_le_open_close":
            bottom = _num(min(row["open"], row["close"]))
            return f"low {_num(row['low'])} > min(open, close) {bottom} on {day}"
    return f"{column or 'row'} fails {rule} on {day}"


def _order_message(frame: pd.DataFrame, pos: int) -> str:
    dates = frame["date"]
    around = " and ".join(
        f"{dates.iat[p]:%Y-%m-%d}" for p in (pos - 1, pos + 1) if 0 <= p < len(dates)
    )
    return f"{dates.iat[pos]:%Y-%m-%d} out of order at row {pos + 1} (next to {around})"


def _passes_schema(frame: pd.DataFrame) -> bool:
    """True only when ``RAW_BARS_SCHEMA`` would find nothing, checked with plain numpy: the
    common case (clean bars) skips the schema's slower validation; any doubt returns False
    and the schema reports what fails."""
    if not isinstance(frame["date"].dtype, np.dtype) or frame["date"].dtype.kind != "M":
        return False  # tz-aware or not dates: the schema says how
    dates = frame["date"]
    if dates.isna().any() or not dates.is_monotonic_increasing or not dates.is_unique:
        return False
    prices = frame[list(PRICE_COLUMNS)].to_numpy()
    if prices.dtype != np.float64 or not (np.isfinite(prices).all() and (prices > 0).all()):
        return False
    volume = frame["volume"].to_numpy()
    if volume.dtype != np.float64 or not (volume >= 0).all():  # NaN compares False
        return False
    adj = frame["adj_close"].to_numpy()
    if adj.dtype != np.float64:
        return False
    known = adj[~np.isnan(adj)]
    if not (np.isfinite(known).all() and (known > 0).all()):
        return False
    o, h, lo, c = (frame[name].to_numpy() for name in ("open", "high", "low", "close"))
    return bool(
        (h >= np.maximum(o, c)).all() and (np.minimum(o, c) >= lo).all() and (h >= lo).all()
    )


def _failures(frame: pd.DataFrame) -> pd.DataFrame:
    """Failure cases as (rule, column, pos), one per rule and row (and column for column checks)."""
    if _passes_schema(frame):
        return pd.DataFrame(columns=["rule", "column", "pos"])
    try:
        RAW_BARS_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return pd.DataFrame(columns=["rule", "column", "pos"])
    rule = cases["check"].astype(str).replace({"not_nullable": "not_null"})
    rule = rule.where(~rule.str.startswith("dtype"), "dtype")
    column = cases["column"].where(cases["schema_context"] == "Column", None)
    out = pd.DataFrame({"rule": rule, "column": column, "pos": cases["index"]})
    return out.drop_duplicates(subset=["rule", "column", "pos"], ignore_index=True)


def _duplicate_issues(dates: pd.Series) -> list[QualityIssue]:
    counts = dates.value_counts(sort=False).sort_index()
    days = pd.DatetimeIndex(counts.index)
    return [
        QualityIssue("unique_dates", "error", f"{day:%Y-%m-%d} appears {n} times", (day.date(),))
        for day, n in zip(days, counts.tolist(), strict=True)
    ]


def _row_issue(frame: pd.DataFrame, rule: str, column: str | None, pos: int) -> QualityIssue:
    row = frame.iloc[pos]
    when = row["date"]
    if rule == "increasing_dates":
        message = _order_message(frame, pos)
    else:
        day = f"{when:%Y-%m-%d}" if pd.notna(when) else f"row {pos + 1}"
        message = _row_message(rule, column, row, day)
    return QualityIssue(rule, "error", message, (when.date(),) if pd.notna(when) else ())


def _schema_issues(frame: pd.DataFrame) -> list[QualityIssue]:
    """Errors, one per row and rule (one per date for duplicates), oldest date first."""
    failures = _failures(frame)
    whole = failures["pos"].isna()
    whole_frame = failures[whole]
    issues = [
        QualityIssue(rule, "error", f"{column or 'frame'} fails {rule}", ())
        for rule, column in zip(whole_frame["rule"], whole_frame["column"], strict=True)
    ]
    rows = failures[~whole].astype({"pos": "int64"}).sort_values("pos", kind="stable")
    dupes = rows["rule"] == "unique_dates"
    issues += _duplicate_issues(frame["date"].iloc[rows.loc[dupes, "pos"]])
    single = rows[~dupes]
    issues += [
        _row_issue(frame, rule, column, pos)
        for rule, column, pos in zip(single["rule"], single["column"], single["pos"], strict=True)
    ]
    return sorted(issues, key=lambda issue: issue.dates[:1])


# --- calendar and series warnings -------------------------------------------------------------


def _warning(rule: str, message: str, days: pd.DatetimeIndex) -> QualityIssue:
    return QualityIssue(rule, "warning", message, tuple(ts.date() for ts in days))


def _return_issues(clean: pd.DataFrame, limit: float) -> list[QualityIssue]:
    adjusted = clean["close"] * adjustment_factors(clean)
    returns = (adjusted / adjusted.shift(1) - 1).to_numpy()
    days = pd.DatetimeIndex(clean.index)
    return [
        _warning(
            "outlier_return",
            f"adjusted close {returns[i]:+.1%} on {days[i]:%Y-%m-%d} from {days[i - 1]:%Y-%m-%d}"
            f" (limit {limit:.0%})",
            days[i : i + 1],
        )
        for i in np.flatnonzero(np.abs(returns) > limit).tolist()
    ]


def _zero_volume_issues(clean: pd.DataFrame, min_run: int) -> list[QualityIssue]:
    days = pd.DatetimeIndex(clean.index)
    runs = [days[a:b] for a, b in _calendar.true_runs(clean["volume"].to_numpy() == 0)]
    return [
        _warning("zero_volume_run", f"zero volume on {len(run)} bars {_calendar.span(run)}", run)
        for run in runs
        if len(run) >= min_run
    ]


# --- public API -------------------------------------------------------------------------------


def _require_raw_layout(raw: pd.DataFrame) -> None:
    if not isinstance(raw.index, pd.DatetimeIndex):
        raise ValueError("bars need a DatetimeIndex: build them with data.bars.to_raw_frame")
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"bars are missing columns {missing}: build them with to_raw_frame")
    wrong = [c for c in RAW_COLUMNS if raw[c].dtype != np.float64]
    if wrong:
        raise ValueError(f"bars columns {wrong} are not float64: build them with to_raw_frame")


def check_bars(
    raw: pd.DataFrame,
    *,
    ticker: str,
    calendar: str | None = "XNYS",
    max_abs_return: float = 0.40,
    zero_volume_run: int = 3,
    spike_ratio: float = 5.0,
) -> QualityReport:
    """Check raw daily bars and say which rows to quarantine; pure, ``raw`` is not modified.

    raw: raw bars in source order (``to_raw_frame`` layout). ticker: label for the report.
    calendar: ``exchange_calendars`` code for the session checks, or None to skip them.
    max_abs_return: adjusted close-to-close move (fraction) above which a day is an outlier.
    zero_volume_run: shortest run of consecutive zero-volume bars worth a warning.
    spike_ratio: factor (> 1) beyond which a bar's range or its jump from the last bar kept is a
    spike; ``inf`` turns the spike rules off.
    Errors (schema, spikes) quarantine their dates; warnings (calendar, outliers, zero volume)
    keep rows.
    """
    _require_raw_layout(raw)
    if not max_abs_return > 0 or zero_volume_run < 1 or not spike_ratio > 1:
        raise ValueError("max_abs_return must be > 0, zero_volume_run >= 1 and spike_ratio > 1")
    if raw.empty:
        return QualityReport(ticker=ticker, rows=0, start=None, end=None, issues=(), quarantined=())
    errors = _schema_issues(raw.reset_index(names="date"))
    clean = _keep(raw, _dates_of(errors))
    spikes = _spike_issues(clean, spike_ratio)
    clean = _keep(clean, _dates_of(spikes))
    errors = sorted([*errors, *spikes], key=lambda issue: issue.dates[:1])
    bad = tuple(_dates_of(errors).date)
    dates = pd.DatetimeIndex(raw.index).dropna()
    warnings: list[QualityIssue] = []
    if calendar is not None and len(dates):
        warnings += [_warning(*f) for f in _calendar.calendar_findings(dates, calendar)]
    warnings += _return_issues(clean, max_abs_return) + _zero_volume_issues(clean, zero_volume_run)
    start, end = (dates.min().date(), dates.max().date()) if len(dates) else (None, None)
    return QualityReport(
        ticker=ticker,
        rows=len(raw),
        start=start,
        end=end,
        issues=(*errors, *warnings),
        quarantined=bad,
    )


def _dates_of(issues: list[QualityIssue]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(sorted({day for issue in issues for day in issue.dates}))


def _spike_issues(clean: pd.DataFrame, ratio: float) -> list[QualityIssue]:
    wide = [
        QualityIssue(r, "error", m, tuple(d.date() for d in days))
        for r, m, days in _spikes.wide_bars(clean, ratio=ratio)
    ]
    rest = _keep(clean, _dates_of(wide))
    jumps = [
        QualityIssue(r, "error", m, tuple(d.date() for d in days))
        for r, m, days in _spikes.price_spikes(rest, ratio=ratio)
    ]
    return sorted([*wide, *jumps], key=lambda issue: issue.dates)


def _keep(raw: pd.DataFrame, bad: pd.DatetimeIndex) -> pd.DataFrame:
    return raw[~raw.index.isin(bad) & raw.index.notna()].sort_index(kind="stable")


def quarantine(raw: pd.DataFrame, report: QualityReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``raw`` into (clean, quarantined) by ``report`` (from ``check_bars`` on this frame).

    clean: the rows whose dates are not quarantined, sorted by date, dates unique.
    quarantined: the other rows (and any without a date) in source order, with a ``reason``
    column naming the broken rules, e.g. ``"high_ge_low, high_ge_open_close"``.
    """
    if len(raw) != report.rows:
        raise ValueError(f"report is for {report.rows} rows but the frame has {len(raw)}")
    reasons: dict[pd.Timestamp, list[str]] = {}
    for issue in report.errors:
        for day in issue.dates:
            rules = reasons.setdefault(pd.Timestamp(day), [])
            rules.extend([issue.rule] if issue.rule not in rules else [])
    bad_days = pd.DatetimeIndex(list(reasons), name="date")
    clean = _keep(raw, bad_days)
    if not clean.index.is_unique:
        raise ValueError("report does not match the frame: duplicated dates were not quarantined")
    bad = raw[raw.index.isin(bad_days) | raw.index.isna()].copy()
    bad["reason"] = [", ".join(reasons.get(ts, ["not_null"])) for ts in bad.index]
    return clean, bad
