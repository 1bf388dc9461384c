"""Shared fixtures of the web chat tests: real evidence on the bundled prices at 2013-02-28."""

from __future__ import annotations

from datetime import date

import pytest

from agent.services import build_tool_context
from core.settings import load_settings
from tools.context import ToolContext
from tools.evidence import Evidence

AS_OF = date(2013, 2, 28)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> ToolContext:
    """A tool context on the bundled prices (no network), its home in a module temp folder."""
    home = tmp_path_factory.mktemp("ui-home")
    return build_tool_context(load_settings(home=home, sources=["bundled"]), as_of=AS_OF)


@pytest.fixture(scope="module")
def ibm_evidence(ctx: ToolContext) -> dict[str, Evidence]:
    """IBM's signal, technicals, risk and technical-strategy backtest evidence."""
    from tools.backtest import backtest_evidence
    from tools.risk import risk_evidence
    from tools.signal import signal_evidence
    from tools.technicals import technicals_evidence

    return {
        "signal": signal_evidence(ctx, "IBM")[0],
        "technicals": technicals_evidence(ctx, "IBM"),
        "risk": risk_evidence(ctx, "IBM"),
        "backtest": backtest_evidence(ctx, "IBM", start=None, strategy="technical"),
    }
