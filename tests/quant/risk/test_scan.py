from __future__ import annotations

import numpy as np
import pytest

from quant.risk._scan import inclusive_scan


@pytest.mark.parametrize("rows", [1, 2, 3, 8, 9, 252, 253])
def test_scan_equals_accumulate(rows: int) -> None:
    a = np.random.default_rng(rows).standard_normal((rows, 17)).astype(np.float32)
    np.testing.assert_array_equal(
        inclusive_scan(a.copy(), ufunc=np.maximum), np.maximum.accumulate(a, axis=0)
    )
    exact = np.cumsum(a.astype(np.float64), axis=0)
    np.testing.assert_allclose(inclusive_scan(a.copy(), ufunc=np.add), exact, atol=1e-5)
