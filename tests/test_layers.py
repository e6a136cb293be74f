"""The package's import layers: nothing imports upward, nothing imports in a circle.

Every import of a storyline module counts, at module level or inside a function (a lazy
import is still a dependency). A module belongs to the layer of its longest matching prefix.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# Lowest first; README "How it is built" explains them.
LAYERS = [
    ["storyline.errors", "storyline.records"],
    ["storyline.settings", "storyline.text", "storyline.geo"],
    ["storyline.store"],
    ["storyline.stages.base"],
    ["storyline.stages"],
    ["storyline.executor"],
    ["storyline.pipeline", "storyline.ingest"],
    ["storyline.export", "storyline.views", "storyline.web", "storyline.demo", "storyline.seeds",
     "storyline.evaluation"],
    ["storyline.cli", "storyline.__main__"],
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "storyline").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = set()

    def add(target: str) -> None:
        while target and target not in known:  # `from a.b import c`, c a name in a.b
            target = target.rpartition(".")[0]
        if target and target != name:
            out.add(target)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            prefix = ".".join(base + [node.module] if node.module else base) if node.level else node.module
            for alias in node.names:
                full = f"{prefix}.{alias.name}"
                add(full if full in known else prefix)
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(name, path, set(mods)) for name, path in mods.items()}


def _layer(module: str) -> int | None:
    best, at = -1, None
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, at = len(p), i
    return at


def _upward(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{a} (layer {_layer(a)}) -> {b} (layer {_layer(b)})"
        for a, targets in sorted(graph.items()) for b in sorted(targets)
        if _layer(a) is not None and _layer(b) is not None and _layer(b) > _layer(a)
    ]


def test_nothing_imports_upward():
    upward = _upward(_graph())
    assert not upward, "imports up the layers:\n" + "\n".join(upward)


def test_the_check_flags_an_upward_import():
    assert _upward({"storyline.stages.reprints.stage": {"storyline.pipeline"}}) == [
        "storyline.stages.reprints.stage (layer 4) -> storyline.pipeline (layer 6)"
    ]
    assert not _upward({"storyline.pipeline": {"storyline.stages.reprints.stage"}})


def test_no_import_circles():
    graph = _graph()
    circles = []
    for start in sorted(graph):  # a module that can reach itself is in a circle
        seen, todo = set(), list(graph[start])
        while todo:
            m = todo.pop()
            if m == start:
                circles.append(start)
                break
            if m not in seen:
                seen.add(m)
                todo.extend(graph.get(m, ()))
    assert not circles, f"modules in import circles: {circles}"


def test_every_module_has_a_layer():
    unplaced = [m for m in _graph() if m != "storyline" and _layer(m) is None]
    assert not unplaced, f"modules in no layer (add them to LAYERS): {unplaced}"


def test_the_check_sees_lazy_imports():
    graph = _graph()
    # pipeline.default_stages imports the stages inside the function
    assert "storyline.stages.clean.stage" in graph["storyline.pipeline"]
