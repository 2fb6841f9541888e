"""No import cycles in the project's own code.

Every project .py file is parsed (not imported) and every import in it is collected: at module
level, inside functions (the lazy imports that hide a cycle from Python but not from a reader) and
under `if TYPE_CHECKING:`. Imports that name a project module become edges of a module graph; the
graph must have no cycle, and neither may the graph of the top-level packages (settings,
components, shapes, tools, pricing, ...), so each package reads only the ones below it.

Import roots: the repository root, and `policies/` for the policy pack (it runs with that folder
on its path, as pyproject's pyright `extraPaths` says), where `langsmith_policies` is top level.
"""

from __future__ import annotations

import ast
import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Folders that are their own import root (a program run from inside them).
NESTED_ROOTS = ("policies",)
_NOT_SOURCE = {".venv", "venv", "node_modules", "__pycache__", "build", "dist"}

Graph = Mapping[str, frozenset[str]]


def project_files(root: Path = ROOT) -> list[Path]:
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        # Pruned while walking: the virtualenv alone holds tens of thousands of files.
        subfolders[:] = [d for d in subfolders if d not in _NOT_SOURCE and not d.startswith(".")]
        found.extend(Path(folder) / f for f in files if f.endswith(".py"))
    return sorted(found)


def module_name(path: Path, root: Path = ROOT) -> str:
    """The dotted name the file is imported by."""
    relative = path.relative_to(root)
    if relative.parts[0] in NESTED_ROOTS and len(relative.parts) > 1:
        relative = relative.relative_to(relative.parts[0])
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__main__":
        return ".".join(path.relative_to(root).with_suffix("").parts)  # run, never imported: named by its path
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported_names(tree: ast.AST, importer: str, is_package: bool) -> Iterable[tuple[str, tuple[str, ...]]]:
    """(module, names imported from it) for every import statement anywhere in the tree."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = importer.split(".") if is_package else importer.split(".")[:-1]
                anchor = package[:len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            yield base, tuple(alias.name for alias in node.names)


@functools.cache
def import_graph(root: Path = ROOT) -> Mapping[str, frozenset[str]]:
    """Project module -> the project modules it imports (anywhere in its body)."""
    names = {path: module_name(path, root) for path in project_files(root)}
    modules = {name for name in names.values() if name.split(".")[-1] != "__main__"}
    graph: dict[str, frozenset[str]] = {}
    for path, importer in names.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets: set[str] = set()
        for base, imported in _imported_names(tree, importer, path.name == "__init__.py"):
            for name in imported or ("",):
                submodule = f"{base}.{name}" if name else base
                if name and submodule in modules:
                    targets.add(submodule)  # `from package import module`
                elif base in modules:
                    targets.add(base)
        targets.discard(importer)
        graph[importer] = frozenset(targets)
    return graph


def package_graph(graph: Graph) -> dict[str, frozenset[str]]:
    """The module graph collapsed to top-level packages (a top-level module is its own package)."""
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        top = module.split(".")[0]
        packages.setdefault(top, set()).update(t.split(".")[0] for t in targets)
    return {p: frozenset(t - {p}) for p, t in packages.items()}


def strongly_connected(graph: Graph) -> list[list[str]]:
    """The groups of two nodes or more that each reach one another (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle (a path a -> ... -> a) through each group of mutually importing nodes."""
    return [_cycle_within(graph, set(component)) for component in strongly_connected(graph)]


def _cycle_within(graph: Graph, component: set[str]) -> list[str]:
    """A shortest path from the component's first module back to itself, inside the component."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in sorted(graph.get(node, ())):
                if target == start:
                    return paths[node] + [start]
                if target in component and target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start}")  # a strongly connected component always has one


def describe(graph: Graph) -> str:
    """Each group of mutually importing nodes: one cycle through it, and all its members."""
    return "\n".join(f"  {' -> '.join(_cycle_within(graph, set(group)))}  (the group: {', '.join(group)})"
                     for group in strongly_connected(graph))


def test_no_module_imports_itself_back():
    graph = import_graph()
    assert not cycles(graph), "import cycles among the project's modules (counting imports inside functions " \
                              "and under TYPE_CHECKING):\n" + describe(graph)


def test_no_package_imports_itself_back():
    graph = package_graph(import_graph())
    assert not cycles(graph), "import cycles among the project's top-level packages:\n" + describe(graph)


def test_the_graph_sees_every_kind_of_import():
    """The check is only as good as the graph: it holds imports inside functions, `from package
    import module`, and the policy pack's own import root (TYPE_CHECKING: the test below)."""
    graph = import_graph()
    assert {"settings", "components", "shapes", "tools", "pricing", "tests", "langsmith_policies"} <= \
        {m.split(".")[0] for m in graph}
    assert "settings.loader" in graph["settings"]  # from settings.loader import ...
    assert "components.langsmith_values" in graph["settings.capacity"]  # inside a function
    assert "settings.catalogue" in graph["tests.test_config_fidelity"]  # from settings import catalogue
    assert "langsmith_policies.framework" in graph["langsmith_policies.rules"]


def test_a_cycle_is_found_and_named(tmp_path: Path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def f():\n    from pkg import c\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    (package / "d.py").write_text("import pkg.a\n")  # imports into the cycle, is not part of it
    assert cycles(import_graph(tmp_path)) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
