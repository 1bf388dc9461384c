"""Shared fixtures of the web chat tests: real evidence on the bundled prices at 2013-02-28."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

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


@pytest.fixture
def make_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Chainlit's app built on settings with the given overrides, as a TestClient whose requests
    come from ``client`` (default 127.0.0.1). No lifespan runs (Chainlit's exits the process)."""
    monkeypatch.setenv("CHAINLIT_AUTH_SECRET", "test-secret-" + "x" * 40)

    def make(client: tuple[str, int] = ("127.0.0.1", 50000), **overrides: Any) -> Any:
        from fastapi.testclient import TestClient

        from ui.server import build_app, prepare_app_root

        settings = load_settings(home=tmp_path / "home", sources=["bundled"], **overrides)
        monkeypatch.setenv("CHAINLIT_APP_ROOT", str(prepare_app_root(settings)))
        import chainlit.auth  # first imported here, once its folder is set
        import chainlit.data
        import chainlit.server

        for module, name in [(chainlit.auth, "decode_jwt"), (chainlit.server, "decode_jwt")]:
            monkeypatch.setattr(module, name, getattr(module, name))  # build_app replaces them
        monkeypatch.setattr(chainlit.server, "create_jwt", chainlit.server.create_jwt)
        # a fresh data layer for these settings (Chainlit keeps the first one per process)
        monkeypatch.setattr(chainlit.data, "_data_layer", None)
        monkeypatch.setattr(chainlit.data, "_data_layer_initialized", False)
        return TestClient(build_app(settings), client=client)  # not entered: no lifespan

    yield make
    from chainlit.config import config

    monkeypatch.setattr(config.code, "password_auth_callback", None)
    monkeypatch.setattr(config.code, "header_auth_callback", None)
