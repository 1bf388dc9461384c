"""Model benchmarks: forecast latency through the facade, and walk-forward overhead.

Run from the repository root::

    python -m benchmarks.models                   # 5 tickers x ~2,000 dates x 100 features
    python -m benchmarks.models --repeats 20000 --nthread 1

(a) Single-row P(up) latency, p50 over many interleaved repetitions on the same row: the
    forecast facade's array entry point ``predict_row`` (a registered XGBoost model, the row as
    a contiguous float64 array with its date and ticker, no contributions) against raw
    ``Booster.inplace_predict`` on the same array. Target: facade p50 <= 1.1 x raw p50. Printed
    too: ``predict_proba_up`` on the row as ``features.loc`` gives it (a ``pd.Series``) and the
    forecast with its top-5 contributions (what the agent's tool asks for;
    ``Booster.predict(DMatrix, pred_contribs=True)``).
(b) Walk-forward time outside model fitting (splitting, selecting, predicting, scoring) as a
    share of fitting time, on real bundled prices (AAPL, MSFT, IBM, GOOG, ^GSPC from 2005) with
    100 backward-looking features built here with pandas. Target: <= 10%.
Exit status: 0 when both targets are met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.backtest.splits import WalkForward
from quant.models import (
    ModelRecord,
    ModelRegistry,
    RegisteredModel,
    XGBSignClassifier,
    evaluate_walk_forward,
    fit_final,
    make_labels,
    predict_proba_up,
    training_set,
)
from quant.models.forecast import predict_row

TICKERS = ("AAPL", "MSFT", "IBM", "GOOG", "^GSPC")
START, AS_OF = date(2005, 1, 1), date(2013, 2, 28)
HORIZON = 5
LATENCY_TARGET = 1.1
OVERHEAD_TARGET = 0.10
WINDOWS = (3, 5, 10, 20, 40, 60, 120, 250)


def load_bars() -> dict[str, pd.DataFrame]:
    md = MarketData([BundledProvider()])
    return {t: md.bars(t, start=START, end=AS_OF).frame for t in TICKERS}


def ticker_features(bars: pd.DataFrame, benchmark: pd.Series) -> pd.DataFrame:
    """100 backward-looking features of one ticker (row t uses bars up to t only)."""
    close, volume = bars["close"], bars["volume"].replace(0.0, np.nan)
    r = close.pct_change()
    cols: dict[str, pd.Series] = {f"ret_lag{k}": r.shift(k) for k in range(20)}
    for w in WINDOWS:
        high, low = close.rolling(w).max(), close.rolling(w).min()
        cols[f"mom_{w}"] = close / close.shift(w) - 1
        cols[f"vol_{w}"] = r.rolling(w).std()
        cols[f"mean_{w}"] = r.rolling(w).mean()
        cols[f"z_{w}"] = (close - close.rolling(w).mean()) / close.rolling(w).std()
        cols[f"dd_{w}"] = close / high - 1
        cols[f"range_{w}"] = (close - low) / (high - low)
        cols[f"volume_{w}"] = volume / volume.rolling(w).mean()
        cols[f"updays_{w}"] = (r > 0).astype(float).rolling(w).mean()
    for k in range(5):
        cols[f"hl_lag{k}"] = ((bars["high"] - bars["low"]) / close).shift(k)
        cols[f"gap_lag{k}"] = (bars["open"] / close.shift(1) - 1).shift(k)
    for w in (20, 60):
        cols[f"skew_{w}"] = r.rolling(w).skew()
    bench = benchmark.reindex(close.index)
    for w in (5, 20, 60, 120):
        cols[f"rel_mom_{w}"] = cols[f"mom_{w}"] - (bench / bench.shift(w) - 1)
    return pd.DataFrame(cols).replace([np.inf, -np.inf], np.nan).astype(np.float64)


def build_panel(bars: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frames = []
    benchmark = bars["^GSPC"]["close"]
    for ticker, frame in bars.items():
        features = ticker_features(frame, benchmark)
        features.index = pd.MultiIndex.from_arrays(
            [features.index, [ticker] * len(features)], names=["date", "ticker"]
        )
        frames.append(features)
    return pd.concat(frames).sort_index()


def walk_forward(features: pd.DataFrame, labels: pd.DataFrame, nthread: int) -> ModelRecord:
    splitter = WalkForward(train_months=12, test_months=3, purge=HORIZON, embargo=5)
    return evaluate_walk_forward(
        features,
        labels,
        horizon=HORIZON,
        splitter=splitter,
        model_factory=lambda: XGBSignClassifier(purge=HORIZON, nthread=nthread),
    )


def register(
    features: pd.DataFrame, labels: pd.DataFrame, record: ModelRecord, nthread: int, root: str
) -> RegisteredModel:
    training = training_set(features, labels, horizon=HORIZON, as_of=AS_OF)
    model = fit_final(
        training, model_factory=lambda: XGBSignClassifier(purge=HORIZON, nthread=nthread)
    )
    saved = ModelRegistry(root).save(
        model, training=training, record=record, created_at=datetime(2013, 3, 1, tzinfo=UTC)
    )
    return ModelRegistry(root).load(saved.card.model_id, features=list(features.columns))


def latency(registered: RegisteredModel, row: pd.Series, repeats: int) -> dict[str, np.ndarray]:
    """Nanoseconds per call of each path, interleaved call by call (rotating which goes first)
    so that load and frequency changes hit every path alike."""
    booster = registered.model.booster_  # type: ignore[attr-defined]
    x = np.ascontiguousarray(row.to_numpy(dtype=np.float64)).reshape(1, -1)  # one row
    day, ticker = row.name[0].date(), row.name[1]
    key = {"row_date": day, "ticker": ticker, "as_of": day}
    expected = float(booster.inplace_predict(x)[0])
    for result in (predict_row(registered, x, **key), predict_proba_up(registered, row, as_of=day)):
        if result.prob_up != expected:
            raise AssertionError("the facade and the raw booster disagree")
    paths: dict[str, Callable[[], object]] = {
        "raw": lambda: booster.inplace_predict(x),
        "raw_unvalidated": lambda: booster.inplace_predict(x, validate_features=False),
        "facade": lambda: predict_row(registered, x, **key),
        "series": lambda: predict_proba_up(registered, row, as_of=day, top_k=0),
    }
    names = list(paths)
    ns = {name: np.empty(repeats) for name in names}
    clock = time.perf_counter_ns
    for i in range(repeats):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            call = paths[name]
            t0 = clock()
            call()
            ns[name][i] = clock() - t0
    explained = np.empty(max(repeats // 20, 50))
    for i in range(len(explained)):
        t0 = clock()
        predict_proba_up(registered, row, as_of=day, top_k=5)
        explained[i] = clock() - t0
    return {**ns, "facade_top5": explained}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10_000)
    parser.add_argument("--nthread", type=int, default=1)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    bars = load_bars()
    features = build_panel(bars)
    labels = make_labels({t: b["close"] for t, b in bars.items()}, horizons=[HORIZON])
    n_dates = features.index.get_level_values("date").nunique()
    print(
        f"data: {len(TICKERS)} tickers x {n_dates} dates x {features.shape[1]} features "
        f"= {len(features):,} rows (built in {time.perf_counter() - t0:.1f} s); "
        f"xgboost nthread={args.nthread}"
    )

    record = walk_forward(features, labels, args.nthread)
    timing = record.timing
    share = timing.overhead_share
    print(f"\n(b) walk-forward, {len(record.folds)} folds, horizon {HORIZON}:")
    print(f"    fit {timing.fit_s:.2f} s, predict {timing.predict_s:.3f} s, "
          f"other {timing.other_s:.3f} s, total {timing.total_s:.2f} s")  # fmt: skip
    print(f"    outside fitting / fitting = {share:.2%}; "
          f"excluding prediction {timing.other_s / timing.fit_s:.2%}")  # fmt: skip
    print(f"    out-of-sample accuracy {record.overall.accuracy:.1%} vs baseline "
          f"{record.overall.baseline_accuracy:.1%}: {record.verdict}")  # fmt: skip

    with tempfile.TemporaryDirectory() as root:
        registered = register(features, labels, record, args.nthread, root)
        row = features.loc[(pd.Timestamp(AS_OF), "AAPL")]
        ns = latency(registered, row, args.repeats)
    p50 = {k: float(np.median(v)) / 1e3 for k, v in ns.items()}
    p99 = {k: float(np.percentile(v, 99)) / 1e3 for k, v in ns.items()}
    ratio = p50["facade"] / p50["raw"]
    print(f"\n(a) single-row latency, {args.repeats:,} interleaved repetitions:")
    print(f"    raw Booster.inplace_predict  p50 {p50['raw']:8.1f} us  p99 {p99['raw']:8.1f} us")
    print(f"    raw, validate_features=False p50 {p50['raw_unvalidated']:8.1f} us  "
          f"p99 {p99['raw_unvalidated']:8.1f} us  (what the facade calls)")  # fmt: skip
    print(f"    predict_row (array, top_k=0) p50 {p50['facade']:8.1f} us  "
          f"p99 {p99['facade']:8.1f} us  (the facade's hot path)")  # fmt: skip
    print(f"    predict_proba_up (Series)    p50 {p50['series']:8.1f} us  "
          f"p99 {p99['series']:8.1f} us  (informative)")  # fmt: skip
    print(f"    predict_proba_up (top_k=5)   p50 {p50['facade_top5']:8.1f} us  (informative)")
    print(f"    facade / raw p50 = {ratio:.3f}x; facade / unvalidated raw p50 = "
          f"{p50['facade'] / p50['raw_unvalidated']:.3f}x; Series path / raw p50 = "
          f"{p50['series'] / p50['raw']:.3f}x")  # fmt: skip

    ok_latency = ratio <= LATENCY_TARGET
    ok_overhead = share <= OVERHEAD_TARGET
    print()
    print(f"{'PASS' if ok_latency else 'FAIL'}: facade p50 {ratio:.3f}x raw (target <= "
          f"{LATENCY_TARGET}x)")  # fmt: skip
    print(f"{'PASS' if ok_overhead else 'FAIL'}: walk-forward overhead {share:.2%} of fit time "
          f"(target <= {OVERHEAD_TARGET:.0%})")  # fmt: skip
    return 0 if ok_latency and ok_overhead else 1


if __name__ == "__main__":
    sys.exit(main())
