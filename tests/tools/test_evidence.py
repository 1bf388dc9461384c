from __future__ import annotations

import math
from datetime import date

import numpy as np

from tools.evidence import Evidence, Window, json_ready


def test_ids_are_stable_and_content_derived() -> None:
    a = Evidence.make(kind="risk", tickers=["IBM"], as_of=date(2011, 12, 30), values={"var": 0.02})
    b = Evidence.make(kind="risk", tickers=["IBM"], as_of=date(2011, 12, 30), values={"var": 0.02})
    c = Evidence.make(kind="risk", tickers=["IBM"], as_of=date(2011, 12, 30), values={"var": 0.03})
    assert a.id == b.id != c.id
    assert a.id.startswith("E-risk-IBM-20111230-")


def test_values_are_json_ready() -> None:
    values = json_ready(
        {
            "x": float("nan"),
            "d": date(2012, 1, 3),
            "n": np.float64(1.5),
            "t": (1, 2),
            "nested": {"inf": math.inf},
        }
    )
    assert values == {"x": None, "d": "2012-01-03", "n": 1.5, "t": [1, 2], "nested": {"inf": None}}
    ev = Evidence.make(
        kind="market",
        tickers=["AAPL"],
        as_of=date(2012, 1, 3),
        values={"close": np.float64(1.0)},
        window=Window(bars=3),
    )
    assert ev.model_dump(mode="json")["values"] == {"close": 1.0}
