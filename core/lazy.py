"""Lazy re-exports for a package ``__init__`` (PEP 562): a name loads its module on first use,
so importing the package (or one of its light modules) does not import its heavy ones."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__``: ``exports`` maps each public name to the
    module that defines it; a loaded name is cached in ``namespace`` (the package's globals)."""

    def __getattr__(name: str) -> Any:  # noqa: ANN401 - any exported object
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
