"""The layout holds: kpi/ imports no streamlit and has no import cycle; each package says what lives there and what
it may import; the README's Layout table names every package. Read from the modules' source, not by importing."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

KPI = ROOT / "kpi"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(KPI.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every module this one imports, at the top or inside a function: ``from kpi.x import y`` counts as kpi.x.y
    when that is a module, else as kpi.x."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                child = f"{node.module}.{a.name}"
                found.add(child if child in MODULES else node.module)
    return found


def test_kpi_imports_no_streamlit():
    offenders = {name: sorted(i for i in _imports(path) if i.split(".")[0] == "streamlit")
                 for name, path in MODULES.items()}
    assert not {k: v for k, v in offenders.items() if v}


def _graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        deps = set()
        for imported in _imports(path):
            if imported in MODULES and imported != name:
                deps.add(imported)
        # importing kpi.a.b runs kpi/a/__init__.py first
        deps |= {p for p in (".".join(d.split(".")[:i]) for d in set(deps) for i in range(2, d.count(".") + 1))
                 if p in MODULES and p != name and not name.startswith(p + ".")}
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_kpi_has_no_import_cycle():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_each_package_says_what_lives_there_and_what_it_may_import():
    for init in sorted(KPI.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init.relative_to(ROOT)}: its docstring says what it may import"
        for module in sorted(init.parent.glob("*.py")):
            if module.name != "__init__.py":
                assert f"``{module.stem}``" in doc, f"{init.relative_to(ROOT)} does not name {module.stem}"


def test_the_readme_layout_names_every_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout"):]
    for init in sorted(KPI.glob("*/__init__.py")):
        name = init.parent.name
        assert re.search(rf"`kpi/{name}/`", layout), f"README's Layout does not name kpi/{name}/"
