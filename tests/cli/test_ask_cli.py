"""``signaldesk ask`` and ``signaldesk chat`` as a user runs them (offline; in this process through
tests/cli/runner.py, so "across processes" means across separate ``signaldesk`` runs)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from agent.first_sentence import first_sentence
from tests.cli.runner import run

RISK_FACTORS = """UNITED STATES SECURITIES AND EXCHANGE COMMISSION
FORM 10-K
For the fiscal year ended September 25, 2010
APPLE INC.
Item 1A. Risk Factors
The Company's future performance depends on the timely introduction of new products. Supply of
key components such as flash memory could be constrained, which would hurt gross margin.
Item 7. Management's Discussion and Analysis
Net sales rose on strong demand for the Company's phones.
"""


def test_ask_signal_equals_the_signal_command_and_every_citation_resolves() -> None:
    asked = run("ask", "Should I buy Microsoft?", "--as-of", "2013-02-28", "--json")
    assert asked.returncode == 0, asked.stderr
    result = json.loads(asked.stdout)
    signal = run("signal", "MSFT", "--as-of", "2013-02-28", "--json")
    expected = json.loads(signal.stdout)
    view = result["answer"]["signal"]
    assert view["evidence_id"] == expected["id"]  # content-hashed: same values, same id
    assert (view["action"], view["score"]) == (
        expected["values"]["action"],
        expected["values"]["score"],
    )
    assert result["verification"]["ok"] and not result["verification"]["unmatched"]
    ids = {ev["id"] for ev in result["evidence"]}
    cited = set(re.findall(r"\[(E-[^\]\s,]+)", result["answer"]["markdown"]))
    assert cited and cited <= ids
    assert [s["name"] for s in result["steps"]] == ["signal", "technicals", "risk"]


def test_ask_prints_markdown_and_declines_unknown_tickers_with_exit_2() -> None:
    shown = run("ask", "What is IBM's 99% one-day VaR at the end of 2011?")
    assert shown.returncode == 0, shown.stderr
    assert "IBM's 99% 1-day VaR is" in shown.stdout and "2011-12-31" in shown.stdout
    assert "thread " in shown.stderr
    declined = run("ask", "Should I buy XYZQ?", "--json")
    assert declined.returncode == 2
    answer = json.loads(declined.stdout)["answer"]
    assert answer["refused"] and "no data for XYZQ" in answer["refusal_reason"]


def test_a_thread_continues_across_processes() -> None:
    first = json.loads(
        run("ask", "Should I buy Microsoft?", "--as-of", "2013-02-28", "--json").stdout
    )
    second = run("ask", "and its VaR?", "--thread", first["thread_id"], "--json")
    assert second.returncode == 0, second.stderr
    answer = json.loads(second.stdout)["answer"]
    assert answer["tickers"] == ["MSFT"] and answer["as_of"] == "2013-02-28"
    assert "MSFT's 95% 1-day VaR" in answer["markdown"]


def test_chat_keeps_context_between_lines() -> None:
    lines = "Should I buy Microsoft?\n/as-of 2011-12-30\nand its VaR?\n/quit\n"
    chat = run("chat", "--as-of", "2013-02-28", input=lines)
    assert chat.returncode == 0, chat.stderr
    assert "MSFT: SELL (as of 2013-02-28)" in chat.stdout
    assert "MSFT's 95% 1-day VaR" in chat.stdout and "2011-12-30" in chat.stdout


def test_filing_question_is_answered_from_ingested_filings(tmp_path: Path) -> None:
    folder = tmp_path / "filings"
    folder.mkdir()
    (folder / "AAPL_10-K_2010-10-27_0001193125-10-238044.txt").write_text(RISK_FACTORS)
    ingested = run("ingest", "folder", str(folder))
    assert ingested.returncode == 0, ingested.stderr
    asked = run("ask", "What did Apple list as risk factors in its 2010 10-K?", "--json")
    assert asked.returncode == 0, asked.stderr
    result = json.loads(asked.stdout)
    (filing, *_) = [ev for ev in result["evidence"] if ev["kind"] == "filing"]
    assert (
        filing["source"]["section"] == "Item 1A" and filing["source"]["fiscal_period"] == "FY2010"
    )
    assert "flash memory" in result["answer"]["markdown"]
    assert result["verification"]["ok"]


def test_filing_question_without_an_index_says_how_to_ingest() -> None:
    asked = run("ask", "What did Apple say in its 10-K?", "--json")
    assert asked.returncode == 2
    answer = json.loads(asked.stdout)["answer"]
    assert answer["refused"] and "signaldesk ingest folder" in answer["markdown"]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed): connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_ask_with_the_only_provider_down_names_the_outage_and_exits_3() -> None:
    down = {
        "SIGNALDESK_SOURCES": "yahoo",  # lists no tickers: any symbol is tried
        "SIGNALDESK_YAHOO_BASE_URL": f"http://127.0.0.1:{_closed_port()}",
        "SIGNALDESK_RETRY_ATTEMPTS": "1",
        "SIGNALDESK_RETRY_BASE_DELAY_S": "0",
    }
    out = run("ask", "Should I buy MSFT?", "--as-of", "2013-02-28", "--json", env_extra=down)
    assert out.returncode == 3, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    result = json.loads(out.stdout)
    assert result["answer"]["refused"] is True
    reason = result["answer"]["refusal_reason"]
    assert "couldn't find evidence" not in reason
    assert "no data for MSFT: yahoo" in reason and "Check the network" in reason
    assert [(s["name"], s["status"]) for s in result["steps"]] == [
        ("signal", "error"),
        ("technicals", "error"),
        ("risk", "error"),
    ]


def test_ask_json_shows_the_typed_request_it_was_planned_from() -> None:
    asked = run(
        "ask", "What could IBM lose over a month at 99% confidence?", "--as-of", "2011-12-30",
        "--json",
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    result = json.loads(asked.stdout)
    request = result["request"]
    assert request["ask"] == "var" and request["tickers"] == ["IBM"]
    assert request["quantity"]["level"] == 0.99 and request["quantity"]["horizon_days"] == 21
    assert [(s["name"], s["args"]) for s in result["steps"]] == [
        ("risk", {"ticker": "IBM", "horizon_days": 21})
    ]
    assert "IBM's 99% 21-day VaR is" in first_sentence(result["answer"]["markdown"])
