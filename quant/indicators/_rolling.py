"""Vectorised rolling-window helpers on float64 arrays (private).

Every function works along the last axis and is causal: the value at position ``i`` depends
only on ``x[..., : i + 1]``, and positions without a full window are NaN. Only elementwise
operations on shifted slices are used (no running sums over the whole history), so results on a
prefix of ``x`` equal the prefix of the results on ``x`` exactly - the look-ahead tests rely on
it - and rounding errors stay local to each window.

Windows are built by doubling: ``levels[k][..., j]`` combines the span ``x[..., j : j + 2**k]``,
so any window costs O(log w) numpy operations over the whole array. The ``valid_*`` helpers
return only the positions with a full window (``w - 1`` onwards), for callers that write them
straight into a preallocated output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from quant._types import FloatArray

_Pairwise = Callable[..., FloatArray]


def _levels(x: FloatArray, top: int, op: _Pairwise) -> list[FloatArray]:
    """``levels[k][..., j] = op`` over ``x[..., j : j + 2**k]``, for ``2**k <= top``."""
    levels = [x]
    while 2 ** len(levels) <= top:
        prev, step = levels[-1], 2 ** (len(levels) - 1)
        levels.append(op(prev[..., step:], prev[..., :-step]))
    return levels


def _check(windows: Sequence[int]) -> None:
    if min(windows) < 1:
        raise ValueError(f"windows must be >= 1, got {list(windows)}")


def rolling_extrema_into(
    out: FloatArray, x: FloatArray, windows: Sequence[int], op: _Pairwise
) -> None:
    """``out[r]`` = rolling ``op`` (``np.maximum``/``np.minimum``) of ``x`` over ``windows[r]``.

    out: shape ``(len(windows), *x.shape)``. A window of ``w`` is covered by two spans of
    ``2**k <= w``: one starting at ``i - w + 1``, one ending at ``i``.
    """
    _check(windows)
    levels = _levels(x, max(windows), op)
    n = x.shape[-1]
    for row, w in zip(out, windows, strict=True):
        row[..., : w - 1] = np.nan
        if w > n:
            continue
        k = w.bit_length() - 1
        table, gap = levels[k], w - 2**k
        op(table[..., : table.shape[-1] - gap], table[..., gap:], out=row[..., w - 1 :])


def rolling_max(x: FloatArray, windows: Sequence[int]) -> FloatArray:
    """Maximum over the last ``w`` values (current included), for each ``w``.

    Returns shape ``(len(windows), *x.shape)``; ``x`` may be 2-D to do several series at once.
    """
    out = np.empty((len(windows), *x.shape))
    rolling_extrema_into(out, x, windows, np.maximum)
    return out


def rolling_min(x: FloatArray, windows: Sequence[int]) -> FloatArray:
    """Minimum over the last ``w`` values (current included); shaped like ``rolling_max``."""
    out = np.empty((len(windows), *x.shape))
    rolling_extrema_into(out, x, windows, np.minimum)
    return out


def valid_sums(x: FloatArray, window: int) -> FloatArray:
    """Sums over full windows only: ``out[..., j]`` = sum of ``x[..., j : j + window]``.

    The window is split into power-of-two spans (20 = 16 + 4), each a doubling level.
    Shape: ``(..., n - window + 1)`` (empty when ``n < window``).
    """
    _check([window])
    levels = _levels(x, window, np.add)
    count = max(x.shape[-1] - window + 1, 0)
    out: FloatArray | None = None
    covered = 0
    for k in reversed(range(len(levels))):
        if window >> k & 1:
            covered += 2**k  # this span ends ``covered - 2**k`` bars before the window's end
            start = window - covered
            span = levels[k][..., start : start + count]
            out = span.copy() if out is None else np.add(out, span, out=out)
    assert out is not None
    return out


def rolling_sum(x: FloatArray, window: int) -> FloatArray:
    """Sum of the last ``window`` values, NaN before the first full window."""
    out = np.full_like(x, np.nan)
    if x.shape[-1] >= window:
        out[..., window - 1 :] = valid_sums(x, window)
    return out


def valid_std(
    x: FloatArray, window: int, *, scale: float = 1.0, out: FloatArray | None = None
) -> FloatArray:
    """``scale`` times the sample standard deviation (ddof=1) over full windows only.

    Shaped like ``valid_sums``; written into ``out`` when given.
    From window sums of ``x`` and ``x**2`` (computed together), clipped at zero: the
    cancellation error is ~1e-16 times the window's sum of squares, so a window of identical
    values reads ~1e-8 * |x| rather than exactly 0.
    """
    if window < 2:
        raise ValueError(f"a sample standard deviation needs window >= 2, got {window}")
    pair = np.empty((2, *x.shape))
    pair[0] = x
    np.multiply(x, x, out=pair[1])
    s1, s2 = valid_sums(pair, window)
    s1 *= s1
    s1 *= 1.0 / window
    s2 -= s1
    np.maximum(s2, 0.0, out=s2)
    s2 *= scale * scale / (window - 1)
    return np.sqrt(s2, out=s2 if out is None else out)


def rolling_std(x: FloatArray, window: int) -> FloatArray:
    """Sample standard deviation (ddof=1) of the last ``window`` values, NaN before."""
    out = np.full_like(x, np.nan)
    if x.shape[-1] >= window:
        out[..., window - 1 :] = valid_std(x, window)
    return out


def lag(x: FloatArray, periods: int) -> FloatArray:
    """``x`` shifted ``periods`` bars later: ``out[i] = x[i - periods]``, NaN before."""
    out = np.empty_like(x)
    out[..., :periods] = np.nan
    if periods < x.shape[-1]:
        out[..., periods:] = x[..., : x.shape[-1] - periods]
    return out
