"""Indicator-layer benchmark: ``compute_indicators`` for many tickers against raw TA-Lib calls.

Run from the repository root::

    python -m benchmarks.indicators                      # 500 synthetic tickers x 3,270 days
    python -m benchmarks.indicators --tickers 100 --rounds 3

Synthetic tickers are block-bootstrapped days of the bundled real series (AAPL, IBM, MSFT, GOOG,
^GSPC; seeded), each day's open/high/low/close ratios and volume perturbed. Each round times,
over every ticker and in the same process:

- baseline: every column the layer reports, computed by calling TA-Lib directly on prepared
  numpy arrays (MIDPRICE, MAX, MIN, STDDEV, ROC and the classic indicators), with numpy for the
  arithmetic TA-Lib has no function for, and no validation, no warm-up mask and no frame;
- layer: ``compute_indicators(frame)`` - validation, the same TA-Lib calls, the warm-up mask
  and the DataFrame;
- score: ``technical_score_series(frame)`` (for context: the technical score of every bar).

Before timing, the baseline's outputs are checked against the layer's (after the warm-up), so
both jobs do the same work. Timing is paired per ticker (each job runs on ticker i before any
moves to ticker i + 1) and uses this process's CPU time, so that other load on a shared machine
hits every job alike. Times are the fastest round; the ratio is the median over rounds of
layer / baseline. Target: layer / baseline <= 1.5. Exit status 1 when it is missed.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import talib

from data.providers.bundled import BundledProvider
from data.service import MarketData
from quant.arrays import FloatArray
from quant.indicators import (
    INDICATOR_COLUMNS,
    OHLCV,
    WARMUP,
    compute_indicators,
    ohlcv_arrays,
)
from quant.signals.technical import technical_score_series

RATIO_TARGET = 1.5
HV_SCALE = float(np.sqrt(252 * 20 / 19))  # annualised; population -> sample (ddof=1)
SOURCES = ("AAPL", "IBM", "MSFT", "GOOG", "^GSPC")
END = date(2013, 3, 1)
COLUMNS = ["open", "high", "low", "close", "volume"]


def source_days(tickers: Sequence[str]) -> list[FloatArray]:
    """Per source, an array (5, n_days - 1): open/high/low/close over the previous close, volume."""
    market = MarketData([BundledProvider()])
    out = []
    for ticker in tickers:
        o, h, lo, c, v = ohlcv_arrays(market.bars(ticker, start=None, end=END).frame)
        prev = c[:-1]
        out.append(np.stack([o[1:] / prev, h[1:] / prev, lo[1:] / prev, c[1:] / prev, v[1:]]))
    return out


def synthetic_frames(
    sources: Sequence[FloatArray], *, tickers: int, days: int, rng: np.random.Generator
) -> list[pd.DataFrame]:
    """``tickers`` frames of ``days`` business days: 20-day blocks of a source's real days, each
    day's price ratios scaled by one lognormal factor (so high >= open, close >= low still
    holds) and its volume by another."""
    index = pd.bdate_range("2000-03-01", periods=days, name="date")
    block = 20
    frames = []
    for i in range(tickers):
        src = sources[i % len(sources)]
        starts = rng.integers(0, src.shape[1] - block, size=-(-days // block))
        pick = (starts[:, None] + np.arange(block)).ravel()[:days]
        ratios = src[:4, pick] * np.exp(rng.normal(0.0, 0.004, size=days))
        close = rng.uniform(10, 200) * np.cumprod(ratios[3])
        prev = np.concatenate([[close[0] / ratios[3, 0]], close[:-1]])
        volume = src[4, pick] * np.exp(rng.normal(0.0, 0.25, size=days))
        prices = np.column_stack([*(ratios[:3] * prev), close])
        frame = pd.DataFrame(prices, index=index, columns=COLUMNS[:4])
        frame["volume"] = volume  # a second block, as in the frames MarketData returns
        frames.append(frame)
    return frames


def talib_baseline(bars: OHLCV) -> list[FloatArray]:
    """Every column ``compute_indicators`` reports, in ``INDICATOR_COLUMNS`` order, computed the
    quickest plain way: TA-Lib directly on the prepared arrays, numpy for the arithmetic TA-Lib
    has no function for (%b, bandwidth, flow changes, senkou A, the displaced cloud, Donchian
    mid), no validation, no warm-up mask, no frame. Arrays end at the last bar; those from
    slices (historical volatility, flow changes) are shorter at the start."""
    _, h, lo, c, v = bars
    upper, middle, lower = talib.BBANDS(c, timeperiod=20, nbdevup=2.0, nbdevdn=2.0)
    avg_volume, obv, ad = talib.SMA(v, timeperiod=20), talib.OBV(c, v), talib.AD(h, lo, c, v)
    tenkan, kijun = talib.MIDPRICE(h, lo, timeperiod=9), talib.MIDPRICE(h, lo, timeperiod=26)
    span_a, span_b = (tenkan + kijun) / 2, talib.MIDPRICE(h, lo, timeperiod=52)
    donchian_upper, donchian_lower = talib.MAX(h, timeperiod=20), talib.MIN(lo, timeperiod=20)
    log_returns = np.log(c[1:] / c[:-1])
    return [
        talib.RSI(c, timeperiod=14),
        *talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9),
        talib.ROC(c, timeperiod=12),
        talib.MFI(h, lo, c, v, timeperiod=14),
        *talib.STOCH(h, lo, c, 14, 3, 0, 3, 0),
        talib.WILLR(h, lo, c, timeperiod=14),
        talib.CCI(h, lo, c, timeperiod=20),
        talib.SMA(c, timeperiod=20),
        talib.SMA(c, timeperiod=50),
        talib.SMA(c, timeperiod=200),
        talib.EMA(c, timeperiod=12),
        talib.EMA(c, timeperiod=26),
        talib.ADX(h, lo, c, timeperiod=14),
        talib.PLUS_DI(h, lo, c, timeperiod=14),
        talib.MINUS_DI(h, lo, c, timeperiod=14),
        upper,
        middle,
        lower,
        (c - lower) / (upper - lower),
        (upper - lower) / middle,
        talib.ATR(h, lo, c, timeperiod=14),
        (obv[20:] - obv[:-20]) / avg_volume[20:],
        (ad[20:] - ad[:-20]) / avg_volume[20:],
        tenkan,
        kijun,
        span_a,
        span_b,
        np.concatenate([np.full(26, np.nan), span_a[:-26]]),
        np.concatenate([np.full(26, np.nan), span_b[:-26]]),
        donchian_upper,
        donchian_lower,
        (donchian_upper + donchian_lower) / 2,
        talib.STDDEV(log_returns, timeperiod=20, nbdev=HV_SCALE),  # sample stdev, annualised
        talib.ROC(v, timeperiod=12),
    ]


def check_same_outputs(frame: pd.DataFrame) -> None:
    """Raise ``AssertionError`` unless the baseline gives every column the layer reports, with
    the layer's values after the warm-up (so the two jobs do the same work)."""
    layer = compute_indicators(frame)
    baseline = talib_baseline(ohlcv_arrays(frame))
    if len(baseline) != len(INDICATOR_COLUMNS):
        raise AssertionError(f"baseline has {len(baseline)} outputs, the layer {layer.shape[1]}")
    tail = len(frame) - WARMUP
    for name, expected in zip(INDICATOR_COLUMNS, baseline, strict=True):
        actual = layer[name].to_numpy()[WARMUP:]
        np.testing.assert_allclose(actual, expected[-tail:], rtol=1e-12, atol=1e-9, err_msg=name)


Job = tuple[str, Callable[[Any], object], Sequence[Any]]


def timed_round(jobs: Sequence[Job]) -> dict[str, tuple[float, float]]:
    """One round: for each ticker in turn, every job once (paired, so that a busy moment on the
    machine hits all of them alike). Returns job -> (CPU seconds, wall seconds) summed over
    tickers. CPU time is this process's: it leaves out time spent descheduled."""
    gc.collect()
    cpu = dict.fromkeys((name for name, _, _ in jobs), 0.0)
    wall = dict(cpu)
    for i in range(len(jobs[0][2])):
        for name, fn, items in jobs:
            c0, w0 = time.process_time(), time.perf_counter()
            fn(items[i])
            cpu[name] += time.process_time() - c0
            wall[name] += time.perf_counter() - w0
    return {name: (cpu[name], wall[name]) for name in cpu}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickers", type=int, default=500)
    parser.add_argument("--days", type=int, default=3270)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20130301)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    frames = synthetic_frames(
        source_days(SOURCES),
        tickers=args.tickers,
        days=args.days,
        rng=np.random.default_rng(args.seed),
    )
    arrays = [ohlcv_arrays(f) for f in frames]
    print(
        f"{args.tickers} synthetic tickers x {args.days} days "
        f"({args.tickers * args.days:,} bars), built in {time.perf_counter() - t0:.1f} s; "
        f"{len(INDICATOR_COLUMNS)} indicator columns; {args.rounds} rounds"
    )
    check_same_outputs(frames[0])  # also warms up imports and caches
    technical_score_series(frames[0])
    jobs: list[Job] = [
        ("baseline", talib_baseline, arrays),
        ("layer", compute_indicators, frames),
        ("score", technical_score_series, frames),
    ]
    # rotate the order each round, so that no job always runs first (on the coldest caches)
    rounds = [
        timed_round(jobs[r % len(jobs) :] + jobs[: r % len(jobs)]) for r in range(args.rounds)
    ]
    labels = {
        "baseline": "baseline: TA-Lib direct, same outputs",
        "layer": "layer: compute_indicators",
        "score": "technical_score_series",
    }
    print(f"{'':<38} {'CPU s':>7} {'ms/ticker':>9} {'wall s':>7}   (fastest round)")
    for key, label in labels.items():
        cpu = min(r[key][0] for r in rounds)
        wall = min(r[key][1] for r in rounds)
        print(f"{label:<38} {cpu:7.3f} {cpu / args.tickers * 1e3:9.3f} {wall:7.3f}")
    ratios = sorted(r["layer"][0] / r["baseline"][0] for r in rounds)
    ratio = statistics.median(ratios)
    ok = ratio <= RATIO_TARGET
    print(f"ratio layer / baseline (CPU, median of rounds): {ratio:.2f}x "
          f"(rounds {ratios[0]:.2f}..{ratios[-1]:.2f})")  # fmt: skip
    print(f"{'PASS' if ok else 'FAIL'}: layer / baseline <= {RATIO_TARGET}x")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
