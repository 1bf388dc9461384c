"""``signaldesk ingest`` honours SIGNALDESK_INGEST_MAX_BYTES: a larger file is skipped, named
with the reason, and an ingest of nothing exits 3."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.runner import run


def test_a_file_over_the_size_setting_is_skipped_with_its_reason(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    page = docs / "ACME_10-K_2010-03-01_big.html"
    page.write_text("<html><body>" + "<p>Revenue grew 12%.</p>" * 200 + "</body></html>")
    result = run(
        "ingest", "folder", str(docs), "--json", env_extra={"SIGNALDESK_INGEST_MAX_BYTES": "1000"}
    )
    assert result.returncode == 3, result.stderr
    (skipped,) = json.loads(result.stdout)["skipped"]
    assert skipped["path"].endswith(page.name)
    assert skipped["reason"] == (
        f"too large: {page.stat().st_size:,} bytes, over the 1,000-byte limit "
        "(SIGNALDESK_INGEST_MAX_BYTES)"
    )
