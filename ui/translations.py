"""Chainlit's own screens in SignalDesk's words: the login page's user-name field and its errors.

Chainlit reads its texts from ``.chainlit/translations/{language}.json`` under its app root,
and copies its bundled files there only when they are missing. ``write_translations`` writes
every language Chainlit ships, each merged with SignalDesk's overrides from
``ui/assets/translations``: the language's own file when there is one, else ``en-US.json``
(SignalDesk's own texts are English). The login page looks an error up by the response's
status text (``Unauthorized``, ``Too Many Requests``), as given and lowercased, then falls back
to ``auth.login.errors.default``; hence the lowercase keys there.

Chainlit is not imported here: ``ui.server`` writes these files before Chainlit reads its
folder from the environment.
"""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path
from typing import Any

__all__ = ["OVERRIDES", "chainlit_translations", "merge", "write_translations"]

OVERRIDES = Path(__file__).with_name("assets") / "translations"
_FALLBACK = "en-US.json"


def merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` laid over it, nested objects merged key by key."""
    merged = dict(base)
    for key, value in overrides.items():
        below = merged.get(key)
        if isinstance(value, dict) and isinstance(below, dict):
            merged[key] = merge(below, value)
        else:
            merged[key] = value
    return merged


def chainlit_translations() -> Path:
    """The folder of translation files the installed Chainlit ships (found, not imported)."""
    spec = find_spec("chainlit")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("chainlit is not installed")
    return Path(spec.origin).parent / "translations"


def _read(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a translation file is a JSON object")
    return data


def write_translations(
    folder: Path, *, bundled: Path | None = None, overrides: Path = OVERRIDES
) -> list[Path]:
    """Every bundled language merged with its overrides, written to ``folder`` (replacing what
    is there); the files written, by name."""
    bundled = bundled or chainlit_translations()
    folder.mkdir(parents=True, exist_ok=True)
    fallback = _read(overrides / _FALLBACK)
    written = []
    for source in sorted(bundled.glob("*.json")):
        own = overrides / source.name
        texts = merge(_read(source), _read(own) if own.is_file() else fallback)
        target = folder / source.name
        target.write_text(json.dumps(texts, indent=2, ensure_ascii=False), encoding="utf-8")
        written.append(target)
    return written
