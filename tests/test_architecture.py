"""The shape of the house: no module imports another that imports it back (directly or through
others), and the editor does not reach into the public views."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports() -> dict[str, set[str]]:
    """Return, for each module of the project, the project's modules it imports (anywhere in it)."""
    files = [
        p for folder in ("licenses", "config") for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts
    ]
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p for p in files}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        graph[name] = {other for other in found if other in modules and other != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = 1
        path.append(module)
        for other in sorted(graph[module]):
            if state.get(other) == 1:
                return path[path.index(other) :] + [other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[module] = 2
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_no_module_imports_itself_back_through_others():
    assert _cycle(_imports()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_editor_does_not_import_the_public_views():
    assert "licenses.views" not in _imports()["licenses.editor"]
