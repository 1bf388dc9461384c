"""Path models for Monte Carlo risk: GBM fitted to the history, and a bootstrap of the history.

Both simulate daily log returns ``x = log(1 + r)``; a path's value relative to its start after
t days is ``exp(x_1 + ... + x_t)``. Increments come as float32 arrays of shape
``(horizon_days, n_paths)`` -- days down the rows, so running sums and maxima over days are
vectorised across paths -- and are generated in chunks of about ``chunk_elements`` numbers, so
memory stays flat however many paths are asked for. float32 keeps ~7 significant digits, far
below Monte Carlo error, and halves memory and time.

Reproducibility: the same generator state, arguments and ``chunk_elements`` give the same draws.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from quant.arrays import FloatArray
from quant.risk._inputs import (
    Returns,
    check_horizon,
    check_positive_int,
    clean_returns,
    log_returns,
)
from quant.risk.errors import RiskInputError

Float32Array = npt.NDArray[np.float32]
CHUNK_ELEMENTS = 1 << 16  # numbers per chunk: ~256 kB of float32, cache-friendly


class PathModel(Protocol):
    """What the Monte Carlo engine needs from a model of daily log returns."""

    def log_increments(
        self, *, horizon_days: int, n_paths: int, rng: np.random.Generator
    ) -> Float32Array:
        """Daily log returns, shape (horizon_days, n_paths)."""
        ...

    def terminal_log_returns(
        self,
        *,
        horizon_days: int,
        n_paths: int,
        rng: np.random.Generator,
        chunk_elements: int = CHUNK_ELEMENTS,
    ) -> FloatArray:
        """Log return over the whole horizon, shape (n_paths,)."""
        ...


def chunk_sizes(*, n_paths: int, horizon_days: int, chunk_elements: int) -> Iterator[int]:
    """Path counts per chunk: about ``chunk_elements // horizon_days`` paths each (>= 1)."""
    n_paths = check_positive_int(n_paths, name="n_paths")
    horizon_days = check_horizon(horizon_days)
    per_chunk = max(1, check_positive_int(chunk_elements, name="chunk_elements") // horizon_days)
    full, rest = divmod(n_paths, per_chunk)
    yield from itertools.repeat(per_chunk, full)
    if rest:
        yield rest


def standard_normal_f32(shape: tuple[int, int], *, rng: np.random.Generator) -> Float32Array:
    """Standard normal float32 draws by the Box-Muller transform, ~2.5x numpy's ziggurat here.

    Pairs (R cos T, R sin T) with R = sqrt(-2 log U1), T = 2 pi U2 are independent standard
    normals. U1 is float64 (53 random bits), so the tails are exact out to 8.5 sigma (a draw
    beyond has probability ~1e-17); the angle and the products are float32. The path engine
    is dominated by drawing normals, hence this sampler (see ``benchmarks/risk.py``).
    """
    n = shape[0] * shape[1]
    half = -(-n // 2)
    radius = np.sqrt(-2.0 * np.log1p(-rng.random(half))).astype(np.float32)  # 1 - U1 in (0, 1]
    angle = rng.random(half, dtype=np.float32)
    angle *= np.float32(2 * np.pi)
    out = np.empty(2 * half, dtype=np.float32)
    np.multiply(radius, np.cos(angle), out=out[:half])
    np.multiply(radius, np.sin(angle), out=out[half:])
    return out[:n].reshape(shape)


@dataclass(frozen=True, slots=True)
class GBM:
    """Geometric Brownian motion: daily log returns i.i.d. N(mu, sigma^2).

    mu: mean daily log return (the GBM's arithmetic drift is mu + sigma^2/2).
    sigma: standard deviation of daily log returns.
    """

    mu: float
    sigma: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.mu) and math.isfinite(self.sigma) and self.sigma >= 0):
            raise RiskInputError(f"GBM needs finite mu and sigma >= 0, got {self.mu}, {self.sigma}")

    @classmethod
    def fit(cls, returns: Returns) -> GBM:
        """Mean and standard deviation (ddof=1) of log(1 + r); >= 2 finite returns."""
        logs = log_returns(clean_returns(returns, min_obs=2).values)
        return cls(mu=float(logs.mean()), sigma=float(logs.std(ddof=1)))

    def log_increments(
        self, *, horizon_days: int, n_paths: int, rng: np.random.Generator
    ) -> Float32Array:
        z = standard_normal_f32((check_horizon(horizon_days), n_paths), rng=rng)
        z *= np.float32(self.sigma)
        z += np.float32(self.mu)
        return z

    def terminal_log_returns(
        self,
        *,
        horizon_days: int,
        n_paths: int,
        rng: np.random.Generator,
        chunk_elements: int = CHUNK_ELEMENTS,
    ) -> FloatArray:
        """Exact: the sum of N i.i.d. normal log returns is N(N mu, N sigma^2), one draw a path.

        ``chunk_elements`` is accepted for the protocol and unused (no paths are built).
        """
        n = check_horizon(horizon_days)
        z = rng.standard_normal(check_positive_int(n_paths, name="n_paths"))
        return n * self.mu + math.sqrt(n) * self.sigma * z


@dataclass(frozen=True, slots=True, eq=False)
class Bootstrap:
    """Resampled history: daily log returns drawn with replacement from the observed ones.

    block_size = 1: i.i.d. resampling. block_size = b > 1: circular block bootstrap (Politis &
    Romano 1992): each path is built from blocks of b consecutive historical days starting at
    uniformly drawn days, wrapping from the last day to the first, which keeps short-range
    dependence (volatility clustering) that i.i.d. resampling destroys.
    """

    history: FloatArray = field(repr=False)  # log returns, shape (n_obs,)
    block_size: int = 1

    def __post_init__(self) -> None:
        if self.history.ndim != 1 or self.history.size == 0:
            raise RiskInputError("Bootstrap needs a non-empty 1-D history of log returns")
        check_positive_int(self.block_size, name="block_size")
        if self.block_size > self.history.size:
            raise RiskInputError(
                f"block_size {self.block_size} exceeds the history ({self.history.size} days)"
            )

    @classmethod
    def fit(cls, returns: Returns, *, block_size: int = 1) -> Bootstrap:
        """Store log(1 + r) of the finite returns; >= 1 finite return."""
        return cls(history=log_returns(clean_returns(returns).values), block_size=block_size)

    def log_increments(
        self, *, horizon_days: int, n_paths: int, rng: np.random.Generator
    ) -> Float32Array:
        h, n, b = check_horizon(horizon_days), self.history.size, self.block_size
        source = self.history.astype(np.float32)
        if b == 1:
            return source[rng.integers(0, n, size=(h, n_paths))]
        n_blocks = -(-h // b)
        starts = rng.integers(0, n, size=(n_blocks, 1, n_paths))
        days = (starts + np.arange(b).reshape(1, b, 1)) % n
        return source[days.reshape(n_blocks * b, n_paths)[:h]]

    def terminal_log_returns(
        self,
        *,
        horizon_days: int,
        n_paths: int,
        rng: np.random.Generator,
        chunk_elements: int = CHUNK_ELEMENTS,
    ) -> FloatArray:
        """Sum of the resampled daily log returns, built chunk by chunk."""
        sizes = chunk_sizes(
            n_paths=n_paths, horizon_days=horizon_days, chunk_elements=chunk_elements
        )
        parts = [
            self.log_increments(horizon_days=horizon_days, n_paths=c, rng=rng).sum(
                axis=0, dtype=np.float64
            )
            for c in sizes
        ]
        return np.concatenate(parts)
