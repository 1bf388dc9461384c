"""The dependency rule, checked over every import of the product packages, including the imports
inside functions and under ``TYPE_CHECKING``:

- layers, top to bottom: ``cli``; ``ui | api``; ``briefing | evals``; ``agent | loop``;
  ``tools | reports``; ``quant | retrieval | data``; ``prompts | core``. A package imports
  only from layers below it, and packages that share a layer never import each other;
- no cycle between the modules (files) of the product;
- no private name (``_name``, or anything from a ``_module``) imported across packages.

The checker runs on small planted trees too, so a test proves that each rule can fail.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli",),
    ("ui", "api"),
    ("briefing", "evals"),
    ("agent", "loop"),
    ("tools", "reports"),
    ("quant", "retrieval", "data"),
    ("prompts", "core"),
)
PACKAGES = tuple(p for layer in LAYERS for p in layer)


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (the module itself, not its package's __init__)
    names: tuple[str, ...]  # the names taken with ``from target import ...``
    line: int


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of ``packages`` under ``root``: dotted name -> file."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[_module_name(root, path)] = path
    return found


def _resolve(source: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = source.split(".") if is_package else source.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(root: Path, packages: tuple[str, ...]) -> Iterator[Import]:
    """Every import of a product module by a product module, wherever it stands in the file."""
    known = modules(root, packages)
    for source, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in packages:
                        yield Import(source, alias.name, (), node.lineno)
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(source, path.name == "__init__.py", node)
                if target.split(".")[0] not in packages:
                    continue
                for alias in node.names:  # ``from pkg import module`` names a module
                    sub = f"{target}.{alias.name}"
                    if sub in known:
                        yield Import(source, sub, (), node.lineno)
                    else:
                        yield Import(source, target, (alias.name,), node.lineno)


def _layer(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def layer_violations(found: list[Import]) -> list[str]:
    bad = []
    for imp in found:
        src, dst = imp.source.split(".")[0], imp.target.split(".")[0]
        if src == dst:
            continue
        if _layer(dst) < _layer(src):
            bad.append(f"{imp.source}:{imp.line} imports upward: {imp.target}")
        elif _layer(dst) == _layer(src):
            bad.append(f"{imp.source}:{imp.line} imports its sibling {imp.target}")
    return bad


def private_violations(found: list[Import]) -> list[str]:
    bad = []
    for imp in found:
        if imp.source.split(".")[0] == imp.target.split(".")[0]:
            continue
        private_module = any(p.startswith("_") for p in imp.target.split(".")[1:])
        private_names = [n for n in imp.names if n.startswith("_")]
        if private_module or private_names:
            what = ", ".join(private_names) or imp.target
            bad.append(f"{imp.source}:{imp.line} takes a private name across packages: {what}")
    return bad


def cycles(found: list[Import]) -> list[list[str]]:
    """The module cycles (strongly connected components of more than one module, or a module
    that imports itself), each sorted."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        graph.setdefault(imp.source, set()).add(imp.target)
        graph.setdefault(imp.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative Tarjan: no recursion limit on long chains
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


@pytest.fixture(scope="module")
def product_imports() -> list[Import]:
    return list(imports(ROOT, PACKAGES))


def test_every_product_package_has_a_layer() -> None:
    on_disk = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert on_disk - {"tests", "benchmarks"} == set(PACKAGES)


def test_imports_point_down_the_layers(product_imports: list[Import]) -> None:
    assert layer_violations(product_imports) == []


def test_no_module_cycles(product_imports: list[Import]) -> None:
    assert cycles(product_imports) == []


def test_no_private_names_across_packages(product_imports: list[Import]) -> None:
    assert private_violations(product_imports) == []


def _plant(root: Path, files: dict[str, str]) -> list[Import]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for package in {name.split("/")[0] for name in files}:
        (root / package / "__init__.py").touch()
    return list(imports(root, PACKAGES))


def test_the_checker_catches_each_kind_of_violation(tmp_path: Path) -> None:
    found = _plant(
        tmp_path,
        {
            # upward, from inside a function
            "quant/risk.py": "def f():\n    from agent.nodes import compose\n",
            "agent/nodes.py": "from agent import graph\ncompose = 1\n",
            # a file cycle through a relative import
            "agent/graph.py": "from .nodes import compose\n",
            "tools/signal.py": "from reports.charts import figure\n",  # a sibling
            "reports/charts.py": "from quant._types import FloatArray\nfigure = 1\n",
            "ui/app.py": "from retrieval.sources import _common_name\n",  # a private name
            "retrieval/sources.py": "_common_name = 1\n",
            "cli/main.py": "import agent.graph\nfrom quant import risk\n",  # downward: fine
        },
    )
    assert sorted(layer_violations(found)) == [
        "quant.risk:2 imports upward: agent.nodes",
        "tools.signal:1 imports its sibling reports.charts",
    ]
    assert cycles(found) == [["agent.graph", "agent.nodes"]]
    assert sorted(private_violations(found)) == [
        "reports.charts:1 takes a private name across packages: quant._types",
        "ui.app:1 takes a private name across packages: _common_name",
    ]


def test_logging_configures_every_product_package() -> None:
    from core import logs

    assert set(logs._PACKAGES) == set(PACKAGES)
