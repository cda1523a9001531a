"""The package's modules import each other in one direction: no import circle, counting imports inside functions
(a lazy import that dodges a circle at load time still ties the two modules together)."""
import ast
from pathlib import Path

import mmkit

PACKAGE = Path(mmkit.__file__).resolve().parent


def modules(root: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """``{dotted name: (file, is a package's __init__)}`` of every module under ``root``."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def _known(name: str, mods: dict) -> str | None:
    """``name`` itself if it is a module, else the closest enclosing module (a name imported from a module)."""
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(root: Path = PACKAGE) -> dict[str, dict[str, int]]:
    """``{module: {module it imports: line}}`` for every ``import mmkit...``, ``from mmkit... import`` and relative
    import anywhere in a module (top level, functions, ``if TYPE_CHECKING``), relative imports resolved."""
    mods = modules(root)
    top = root.name
    graph: dict[str, dict[str, int]] = {}
    for name, (path, is_package) in mods.items():
        package = name if is_package else name.rpartition(".")[0]
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - (node.level - 1)] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                if base != top and not base.startswith(top + "."):
                    continue
                # ``from . import video_io`` imports a module; ``from . import __version__`` a name of the package
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name == top or a.name.startswith(top + ".")]
            for target in targets:
                target = _known(target, mods)
                if target is not None and target != name:
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One import circle ``[a, b, ..., a]``, or None (depth-first search; white, grey, black)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_imports_at_any_depth_and_resolves_relative_ones():
    graph = import_graph()
    assert "mmkit.checkpoints" in graph["mmkit.engine"]           # top level
    assert "mmkit.video_io" in graph["mmkit.engine"]              # ``from . import video_io`` inside magnify()
    assert "mmkit.measure" in graph["mmkit.widgets.figures"]      # ``from ..measure import`` inside a function
    assert "mmkit.widgets.session" in graph["mmkit.widgets"]      # a package's __init__
    assert "mmkit" in graph["mmkit.train"]                        # ``from . import __version__``


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 1}}) is None


def test_no_import_cycle():
    graph = import_graph()
    cycle = find_cycle(graph)
    if cycle:
        steps = [f"{a} imports {b} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:])]
        raise AssertionError("import cycle: " + " -> ".join(cycle) + "\n  " + "\n  ".join(steps))


#: Import name -> distribution name, where they differ.
DISTRIBUTIONS = {"PIL": "pillow", "imageio_ffmpeg": "imageio-ffmpeg", "IPython": "ipython"}


def test_dependencies_are_exactly_what_the_package_imports():
    """pyproject.toml's dependencies (and the optional runtime of its ``fast`` extra) are the third-party packages that mmkit's modules import (at any depth),
    no more and no fewer: nothing the kit needs comes in only as another package's dependency."""
    import re
    import sys
    import tomllib

    imported = set()
    for path, _ in modules().values():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {DISTRIBUTIONS.get(m, m).lower() for m in imported
                   if m not in sys.stdlib_module_names and m not in ("mmkit", "__future__")}
    pyproject = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())
    runtime = pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["fast"]
    declared = {re.split(r"[<>=!\s\[;]", d)[0].lower() for d in runtime}
    assert third_party == declared, (f"imported, not declared: {sorted(third_party - declared)}; "
                                     f"declared, not imported: {sorted(declared - third_party)}")
