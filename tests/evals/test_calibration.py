"""Decision calibration (evals/calibration/scoring.py): hand-computed scores on a small synthetic
series, the baselines, edge cases and the look-ahead test (baselines and calls read nothing
after the call date)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss
from sklearn.metrics import log_loss as sk_log_loss

from briefing import Watchlist, run_briefing
from data.providers.bundled import BundledProvider
from data.service import MarketData
from evals.calibration.scoring import (
    CalibrationInputError,
    brier_score,
    calibrate,
    join_outcomes,
    log_loss,
    reliability,
    stated_probability,
)
from tests.briefing.test_runner import _truncated_csv
from tools.context import ToolContext

DAYS = pd.bdate_range("2020-01-06", periods=10)  # d0 .. d9, Monday to Friday
CLOSES = pd.Series([100, 101, 99, 102, 102, 104, 103, 105, 106, 104], index=DAYS, dtype=float)
# day index, action, confidence (stated probability 0.5 + 0.5 c), score
CALLS = [
    (1, "SELL", 0.3, 0.40),  # p .65, next day -1.98%: hit
    (2, "BUY", 0.5, 0.60),  # p .75, +3.03%: hit
    (3, "BUY", 0.5, 0.58),  # p .75, 0.00%: a flat day is a miss
    (5, "STRONG SELL", 0.9, 0.30),  # p .95, -0.96%: hit
    (6, "HOLD", 0.0, 0.50),  # +1.94%: outside the 1% quiet band
    (7, "STRONG BUY", 0.3, 0.70),  # p .65, +0.95%: hit
    (8, "BUY", 0.1, 0.56),  # p .55, -1.89%: miss
    (9, "BUY", 0.3, 0.57),  # the last bar: no next day, dropped at 1 day
]
P = np.array([0.65, 0.75, 0.75, 0.95, 0.65, 0.55])  # the six directional calls scored at 1 day
HIT = np.array([1, 1, 0, 1, 1, 0])


def _calls(rows: list[tuple[int, str, float, float]] = CALLS, ticker: str = "AAA") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticker": ticker,
            "as_of": [DAYS[i] for i, *_ in rows],
            "action": [a for _, a, _, _ in rows],
            "confidence": [c for *_, c, _ in rows],
            "score": [s for *_, s in rows],
        }
    )


def _run(calls: pd.DataFrame | None = None, **kw):  # noqa: ANN202
    options = {"rng": np.random.default_rng(7), "horizons": (1, 5), "lookback": 2, **kw}
    return calibrate(_calls() if calls is None else calls, {"AAA": CLOSES}, **options)


def test_stated_probability_brier_and_log_loss_by_hand_and_against_sklearn() -> None:
    assert stated_probability(np.array([0.0, 0.3, 1.0, 1.4, -0.2])).tolist() == pytest.approx(
        [0.5, 0.65, 1.0, 1.0, 0.5]
    )
    brier = (0.35**2 + 0.25**2 + 0.75**2 + 0.05**2 + 0.35**2 + 0.55**2) / 6
    assert brier == pytest.approx(1.175 / 6)
    assert brier_score(P, HIT) == pytest.approx(brier) == brier_score_loss(HIT, P)
    loss = -(math.log(0.65) + math.log(0.75) + math.log(0.25) + math.log(0.95))
    loss = (loss - math.log(0.65) - math.log(0.45)) / 6
    assert log_loss(P, HIT) == pytest.approx(loss) == pytest.approx(sk_log_loss(HIT, P))
    # p = 1 and a miss: finite, p clipped to 1 - 1e-15 (as stored in binary64)
    assert log_loss(np.array([1.0]), np.array([0])) == pytest.approx(-math.log(1e-15), rel=1e-4)
    assert math.isnan(brier_score(np.array([]), np.array([])))
    assert math.isnan(log_loss(np.array([]), np.array([])))


def test_reliability_bins_uniform_and_quantile() -> None:
    uniform = reliability(P, HIT, n_bins=5, bins="uniform")
    assert [b.lower for b in uniform] == pytest.approx([0.5, 0.6, 0.7, 0.8, 0.9])
    assert uniform[-1].upper == 1.0
    assert [b.count for b in uniform] == [1, 2, 2, 0, 1]
    assert [b.observed for b in uniform] == [0.0, 1.0, 0.5, None, 1.0]
    assert uniform[2].mean_probability == pytest.approx(0.75)
    halves = reliability(P, HIT, n_bins=2, bins="quantile")  # median 0.70
    assert [b.count for b in halves] == [3, 3]
    assert [(b.lower, b.upper) for b in halves] == [
        (0.55, pytest.approx(0.7)),
        (pytest.approx(0.7), 0.95),
    ]
    assert [b.observed for b in halves] == pytest.approx([2 / 3, 2 / 3])
    assert [b.mean_probability for b in halves] == pytest.approx([1.85 / 3, 2.45 / 3])
    same = reliability(np.full(4, 0.6), np.array([1, 0, 1, 1]), n_bins=5)
    assert [(b.count, b.observed) for b in same] == [(4, 0.75)]
    assert reliability(np.array([]), np.array([])) == []


def test_join_gives_entry_forward_and_trailing_returns() -> None:
    joined = join_outcomes(_calls(), {"AAA": CLOSES}, horizons=(1, 5), lookback=2)
    first = joined.iloc[0]  # SELL on d1
    assert first["entry_close"] == 101
    assert first["fwd_1"] == pytest.approx(99 / 101 - 1)
    assert first["fwd_5"] == pytest.approx(103 / 101 - 1)
    assert math.isnan(first["trailing_return"])  # d1 has one bar before it, not two
    assert joined.iloc[1]["trailing_return"] == pytest.approx(99 / 100 - 1)
    assert joined["fwd_5"].notna().tolist() == [True, True, True, False, False, False, False, False]
    assert joined["direction"].tolist() == [-1, 1, 1, -1, 0, 1, 1, 1]


def test_scores_at_one_day_by_hand() -> None:
    h1 = _run().horizon(1)
    assert (h1.scored, h1.dropped) == (7, 1)  # the call on the last bar has no next day
    signal = h1.strategy("signal")
    assert (signal.directional, signal.abstained, signal.hits) == (6, 1, 4)
    assert signal.hit_rate == pytest.approx(4 / 6)
    assert signal.brier == pytest.approx(1.175 / 6)
    assert signal.log_loss == pytest.approx(log_loss(P, HIT))
    signed = [2 / 101, 3 / 99, 0.0, 1 / 104, 1 / 105, -2 / 106]  # direction x next-day return
    assert signal.mean_signed_return == pytest.approx(sum(signed) / 6)
    rows = {a.action: (a.count, a.hit_rate) for a in h1.by_action}
    assert rows == {
        "STRONG SELL": (1, 1.0),
        "SELL": (1, 1.0),
        "HOLD": (1, None),
        "BUY": (3, pytest.approx(1 / 3)),
        "STRONG BUY": (1, 1.0),
    }
    hold = h1.hold
    assert (hold.count, hold.band, hold.quiet_share) == (1, 0.01, 0.0)
    assert hold.quiet_share_all == pytest.approx(3 / 7)  # d3 0%, d5 -0.96%, d7 +0.95%
    assert hold.mean_abs_return == pytest.approx(2 / 103)
    # Quantile edges .55 .65 .65 .75 .75 .95: the repeated ones merge into three bins.
    assert [(b.count, b.observed) for b in h1.reliability] == [(1, 0.0), (2, 1.0), (3, 2 / 3)]


def test_baselines_by_hand() -> None:
    h1 = _run().horizon(1)
    always = h1.strategy("always_buy")
    assert (always.directional, always.hits, always.brier) == (7, 3, None)
    assert always.hit_rate == pytest.approx(3 / 7)
    mean_return = (-2 / 101 + 3 / 99 + 0 - 1 / 104 + 2 / 103 + 1 / 105 - 2 / 106) / 7
    assert always.mean_signed_return == pytest.approx(mean_return)
    # Momentum over 2 bars: d1 has no history; d2 down; d3, d5, d6, d7, d8 up.
    momentum = h1.strategy("momentum")
    assert (momentum.directional, momentum.abstained, momentum.hits) == (6, 1, 2)
    assert momentum.hit_rate == pytest.approx(1 / 3)
    buckets = {(b.group, b.label): (b.count, b.mean_return) for b in h1.buckets}
    assert buckets[("baseline", "every call (always-buy)")] == (7, pytest.approx(mean_return))
    assert buckets[("baseline", "momentum down")] == (1, pytest.approx(3 / 99))
    assert buckets[("action", "BUY")] == (3, pytest.approx((3 / 99 + 0 - 2 / 106) / 3))


def test_random_baseline_keeps_the_action_mix_and_is_seeded() -> None:
    calls = _calls(CALLS[:-1])  # no call dropped at 1 day: every draw has 4 buys and 2 sells
    result = _run(calls, draws=20_000)
    rand = result.horizon(1).strategy("random")
    assert (rand.directional, rand.abstained, rand.draws) == (6, 1, 20_000)
    # Up days: 3 of 7, down days: 3 of 7, so any buy or sell hits with probability 3/7.
    assert rand.hit_rate == pytest.approx(3 / 7, abs=0.01)
    assert rand.hit_rate_p05 <= rand.hit_rate <= rand.hit_rate_p95
    # The shuffled calls keep their stated probabilities, so Brier is that of the same p's.
    expected_brier = np.mean([(p - 3 / 7) ** 2 + 3 / 7 * (1 - 3 / 7) for p in P])
    assert rand.brier == pytest.approx(expected_brier, abs=0.01)
    p_value = result.horizon(1).hit_rate_p_value
    assert 0.0 < p_value < 0.5  # 4 of 6 beats most shuffles
    again = _run(calls, draws=20_000).horizon(1).strategy("random")
    assert again == rand
    other = _run(calls, draws=200, rng=np.random.default_rng(8)).horizon(1).strategy("random")
    assert other != rand


def test_score_quintiles_two_calls_each() -> None:
    days = pd.bdate_range("2020-01-06", periods=12)
    closes = pd.Series(np.arange(100.0, 112.0), index=days)  # always up
    calls = pd.DataFrame(
        {
            "ticker": "AAA",
            "as_of": days[:10],
            "action": "HOLD",
            "confidence": 0.0,
            "score": np.linspace(0.46, 0.54, 10),
        }
    )
    result = calibrate(calls, {"AAA": closes}, rng=np.random.default_rng(1), horizons=(1,))
    quintiles = [b for b in result.horizon(1).buckets if b.group == "score quintile"]
    assert [b.count for b in quintiles] == [2, 2, 2, 2, 2]
    assert quintiles[0].label == "Q1 (0.460-0.469)"
    assert quintiles[0].mean_return == pytest.approx((1 / 100 + 1 / 101) / 2)
    assert all(b.up_share == 1.0 for b in quintiles)


def test_no_calls() -> None:
    empty = _calls([])
    result = _run(empty)
    assert (result.calls, result.no_price, result.tickers, result.start) == (0, 0, [], None)
    h1 = result.horizon(1)
    assert h1.scored == 0 and h1.hit_rate_p_value is None
    assert all(s.hit_rate is None and s.directional == 0 for s in h1.strategies)
    assert h1.reliability == [] and h1.by_action == []
    assert h1.hold.quiet_share is None


def test_nan_prices_are_no_bar_and_unknown_tickers_have_no_price() -> None:
    holes = CLOSES.copy()
    holes.iloc[2] = np.nan  # d2 has no close: a call on d2 enters at d1, its next bar is d3
    joined = join_outcomes(_calls(), {"AAA": holes}, horizons=(1,), lookback=2)
    on_d2 = joined.iloc[1]
    assert on_d2["entry_close"] == 101 and on_d2["fwd_1"] == pytest.approx(102 / 101 - 1)
    assert joined.iloc[0]["fwd_1"] == pytest.approx(102 / 101 - 1)  # d1's next bar is d3 too
    both = pd.concat([_calls(CALLS[:2]), _calls(CALLS[:1], ticker="ZZZ")])
    result = calibrate(both, {"AAA": CLOSES}, rng=np.random.default_rng(0), horizons=(1,))
    assert (result.calls, result.no_price, result.horizon(1).scored) == (3, 1, 2)


def test_calls_before_the_first_bar_or_at_the_end_are_dropped_and_counted() -> None:
    early = pd.DataFrame(
        {
            "ticker": "AAA",
            "as_of": [pd.Timestamp("2019-12-31"), DAYS[8], DAYS[9]],
            "action": ["BUY"] * 3,
            "confidence": 0.2,
            "score": 0.6,
        }
    )
    result = _run(early, horizons=(1, 5))
    assert (result.calls, result.no_price) == (3, 1)
    assert [(h.horizon, h.scored, h.dropped) for h in result.horizons] == [(1, 1, 1), (5, 0, 2)]


def test_a_single_action() -> None:
    buys = _calls([(i, "BUY", 0.2, 0.6) for i in range(9)])
    h1 = _run(buys).horizon(1)
    signal, rand = h1.strategy("signal"), h1.strategy("random")
    assert signal.hit_rate == rand.hit_rate == h1.strategy("always_buy").hit_rate
    assert h1.hit_rate_p_value == 1.0  # every shuffle is the same calls
    quintiles = [b for b in h1.buckets if b.group == "score quintile"]
    assert [(b.label, b.count) for b in quintiles] == [("all scores", 9)]
    assert h1.hold.count == 0 and h1.hold.quiet_share is None


def test_bad_input_is_a_named_error() -> None:
    with pytest.raises(CalibrationInputError, match="more than one call"):
        _run(pd.concat([_calls(CALLS[:1]), _calls(CALLS[:1])]))
    with pytest.raises(CalibrationInputError, match="unknown action"):
        _run(_calls([(1, "MAYBE", 0.1, 0.5)]))
    with pytest.raises(CalibrationInputError, match="lack column"):
        _run(_calls().drop(columns="confidence"))
    with pytest.raises(CalibrationInputError, match="horizons"):
        _run(horizons=(0, 5))


def test_no_look_ahead_baselines_read_nothing_after_the_call_date() -> None:
    """Truncate the prices at each call's date: the entry and the momentum baseline are the
    same as on the full series (only the forward returns, the outcomes, need later bars)."""
    full = join_outcomes(_calls(), {"AAA": CLOSES}, horizons=(1, 5), lookback=2)
    for i, row in full.iterrows():
        cut = join_outcomes(
            _calls([CALLS[i]]), {"AAA": CLOSES.loc[: row["as_of"]]}, horizons=(1,), lookback=2
        )
        assert cut.iloc[0]["entry_close"] == row["entry_close"]
        assert cut.iloc[0]["trailing_return"] == pytest.approx(row["trailing_return"], nan_ok=True)
        assert math.isnan(cut.iloc[0]["fwd_1"])
    # The last bar changed: the baselines' calls (and the random draws) stay the same.
    later = CLOSES.copy()
    later.iloc[9] = 50.0
    a = _run(horizons=(1,)).horizon(1)
    moved = calibrate(
        _calls(), {"AAA": later}, rng=np.random.default_rng(7), horizons=(1,), lookback=2
    )
    for name in ("momentum", "always_buy", "random"):
        s, m = a.strategy(name), moved.horizon(1).strategy(name)
        assert (s.directional, s.abstained) == (m.directional, m.abstained)


def test_no_look_ahead_the_calls_are_the_same_on_prices_cut_at_their_date(tmp_path: Path) -> None:
    """A numbers-only briefing (what replay stores) on the bundled data and on files that end on
    the call's date gives the same calls, so the calibration scores calls made point in time."""
    day, tickers = date(2012, 6, 8), ["AAPL", "IBM"]
    watchlist = Watchlist.of(tickers)
    full = run_briefing(
        None, ToolContext(as_of=day, market=MarketData([BundledProvider()])), watchlist=watchlist
    )
    cut_market = MarketData([_truncated_csv(tmp_path / "prices", tuple(tickers), day)])
    cut = run_briefing(None, ToolContext(as_of=day, market=cut_market), watchlist=watchlist)
    fields = ("action", "score", "confidence")
    for ticker in tickers:
        a, b = full.brief(ticker), cut.brief(ticker)
        assert a.status == "ok" and {f: getattr(a, f) for f in fields} == {
            f: getattr(b, f) for f in fields
        }
