"""``signaldesk monitor --drift``: the drift section of a model trained with ``signaldesk train``
(real IBM bars; a simulated ticker whose volatility triples), in text and in ``--json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import run
from tests.quant._drift_bars import universe, write_csv


def _train(*args: str) -> str:
    out = run("train", *args, "--horizons", "5", "--json")
    assert out.returncode == 0, out.stderr
    (model,) = json.loads(out.stdout)["models"]
    return str(model["model_id"])


@pytest.mark.slow
def test_monitor_drift_reports_the_model_in_use_and_its_data() -> None:
    model_id = _train("IBM", "--end", "2012-12-31")
    # no call recorded and no --as-of: the last day the data hold for the models' tickers
    out = run("monitor", "--drift", "--json")
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    drift = payload["drift"]
    assert payload["as_of"] == drift["as_of"] == "2013-03-01"
    assert (drift["window_days"], drift["psi_threshold"], drift["ks_pvalue"]) == (60, 0.2, 0.01)
    (model,) = drift["models"]
    assert model["model_id"] == model_id and model["reference_verified"]
    assert (model["recent_start"], model["recent_end"]) == ("2012-12-04", "2013-03-01")
    assert len(model["features"]) == 126 and model["probability"]["feature"] == "prob_up"
    assert {"feature", "psi", "ks", "p_value", "p_value_adjusted", "drifted"} <= set(
        model["features"][0]
    )
    assert model["drifted_features"] == [r["feature"] for r in model["features"] if r["drifted"]]
    (ibm,) = drift["data"]
    assert (ibm["ticker"], ibm["last_bar"], ibm["stale"], ibm["missing_sessions"]) == (
        "IBM", "2013-03-01", False, 0,
    )  # fmt: skip
    assert "drift" not in json.loads(run("monitor", "--as-of", "2013-03-01", "--json").stdout)

    text = run("monitor", "--drift", "--as-of", "2013-03-01")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("no calls recorded up to 2013-03-01")
    assert any(line.startswith(f"{model_id}: IBM 5-day XGBSignClassifier") for line in lines)
    assert any(line.startswith("  features: ") and "of 126 drifted" in line for line in lines)
    assert any(line.startswith("  P(up): PSI ") for line in lines)
    assert "  IBM: last bar 2013-03-01 (0 days before as-of); 0 missing sessions; " in text.stdout

    # one ticker: only its models; a ticker without bars exits 1 with its warning
    other = run("monitor", "--drift", "--as-of", "2013-03-01", "--ticker", "MSFT")
    assert other.returncode == 0 and "no model trained by 2013-03-01" in other.stdout
    assert "  MSFT: last bar 2013-03-01" in other.stdout
    missing = run("monitor", "--drift", "--as-of", "2013-03-01", "--ticker", "ZZZZ")
    assert missing.returncode == 1 and "warning: ZZZZ: " in missing.stderr


@pytest.mark.slow
def test_monitor_drift_lists_the_features_of_a_planted_volatility_shift(tmp_path: Path) -> None:
    source = f"csv:{write_csv(tmp_path / 'bars', universe())}"
    model_id = _train("SHFT", "--end", "2012-05-31", "--source", source)
    out = run("monitor", "--drift", "--as-of", "2012-12-31", "--source", source)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{model_id}: SHFT"))
    assert "drifted" in lines[at + 1] and not lines[at + 1].startswith("  features: 0 of")
    table = "\n".join(lines[at + 2 : at + 16])
    assert " vol_20d " in table and "PSI" in table
    as_json = json.loads(
        run("monitor", "--drift", "--as-of", "2012-12-31", "--source", source, "--json").stdout
    )
    (model,) = as_json["drift"]["models"]
    assert model["drifted"] and "vol_20d" in model["drifted_features"]
