"""Imports run one way (docs/architecture.md, "Layers"). `lint-imports` (run by .ci/run)
checks the order of the layers; these tests check that its contract places every package
of ticketing/, and read the imports themselves to find no cycle between packages, so a
lazy import inside a function cannot hide one either."""

from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKETING = ROOT / "ticketing"
# Alembic's env.py is a script Alembic loads by path, not a module of the package; it
# reads the table registry (ticketing.models) to compare it with the database.
NOT_MODULES = {TICKETING / "db" / "migrations"}


def _layers_contract() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    return contract


def _layer_names(contract: dict[str, object]) -> tuple[set[str], set[str]]:
    """The names the contract places, and those of them marked optional ("(name)")."""
    names: set[str] = set()
    optional: set[str] = set()
    layers = contract["layers"]
    assert isinstance(layers, list)
    for layer in layers:
        for part in re.split(r"[|:]", layer):
            name = part.strip()
            if name.startswith("("):
                name = name.strip("()")
                optional.add(name)
            names.add(name)
    return names, optional


def _children() -> set[str]:
    """The direct children of ticketing/: its modules and its packages."""
    found = set()
    for path in TICKETING.iterdir():
        if path.suffix == ".py" and path.name != "__init__.py":
            found.add(path.stem)
        elif path.is_dir() and any(path.glob("*.py")):
            found.add(path.name)
    return found


def test_the_layers_contract_places_every_package_of_ticketing() -> None:
    contract = _layers_contract()
    assert contract["containers"] == ["ticketing"]
    assert contract["exhaustive"] is True
    names, optional = _layer_names(contract)
    children = _children()
    assert children - names == set(), (
        "Place the new package in the layers contract of pyproject.toml "
        "(and in docs/architecture.md)"
    )
    assert names - optional - children == set(), "The contract names a package that is gone"


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_in(source: str, package: str) -> list[tuple[str, int]]:
    """Every module a file of this package imports, at any depth of the file (functions
    too), made absolute; `from ticketing import clock` imports ticketing.clock."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _imported(path: Path) -> list[tuple[str, int]]:
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _imports_in(path.read_text(), package)


def _package(module: str) -> str | None:
    """The child of ticketing/ a module belongs to (None outside ticketing)."""
    parts = module.split(".")
    if parts[0] != "ticketing" or len(parts) < 2:
        return None
    child = parts[1]
    return child if child in _CHILDREN else None


_CHILDREN = _children()


def package_imports() -> dict[str, dict[str, list[str]]]:
    """For each package of ticketing/, the packages it imports and where."""
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(TICKETING.rglob("*.py")):
        if any(path.is_relative_to(skip) for skip in NOT_MODULES):
            continue
        source = _package(_module_of(path))
        if source is None:  # ticketing/__init__.py
            continue
        for target, line in _imported(path):
            imported = _package(target)
            if imported is not None and imported != source:
                edges[source][imported].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def cycles(edges: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(edges) | {t for targets in edges.values() for t in targets}):
        if node not in index:
            visit(node)
    return groups


def test_no_two_packages_import_each_other_even_through_others() -> None:
    edges = package_imports()
    found = cycles(edges)
    where = {
        " <-> ".join(group): [
            f"{a} -> {b}: {edges[a][b][0]}" for a in group for b in group if b in edges.get(a, {})
        ]
        for group in found
    }
    assert found == [], f"import cycles between packages: {where}"


def test_the_reader_sees_lazy_and_relative_imports_and_longer_cycles() -> None:
    # The checker itself: an import inside a function counts, a relative import is made
    # absolute, a cycle through a third package is found, a one-way chain is none.
    lazy = "def f():\n    from ticketing.orders import models\n"
    assert _package(_imports_in(lazy, "ticketing.events")[0][0]) == "orders"
    relative = "from ..orders.models import Order\n"
    assert _imports_in(relative, "ticketing.events") == [("ticketing.orders.models.Order", 1)]
    chain: dict[str, dict[str, list[str]]] = {"a": {"b": ["x"]}, "b": {"c": ["y"]}}
    assert cycles(chain) == []
    chain["c"] = {"a": ["z"]}
    assert cycles(chain) == [["a", "b", "c"]]
