"""The house keeps its shape (issue 18, docs/architecture.md): the ground floor imports no other app, no modules
import each other in a circle, and every permission question is asked of the one rules module (decision 0036)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # schooldesk/

#: the only modules that may read roles directly: the roles themselves, the mechanism and the rules
ROLE_READERS = {"core/access.py", "accounts/access.py", "core/permissions.py", "permissions/rules.py"}
ROLE_QUESTIONS = re.compile(r"\.has_role\(|\.any_role\(|\bdef _require|\brequired_roles\b|\brequire_role_in\(")


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(relative.parts):
            continue
        yield relative, path.read_text()


def _imports(source: str):
    """(imported module, whether at module level) for every `schooldesk` import, TYPE_CHECKING blocks left out."""
    tree = ast.parse(source)
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    functions = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("schooldesk."):
            for alias in node.names:  # `from package import module` imports the module
                yield f"{node.module}.{alias.name}", id(node) not in functions
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("schooldesk."):
                    yield alias.name, id(node) not in functions


def _app(module_or_path: str) -> str:
    return module_or_path.removeprefix("schooldesk.").replace("/", ".").split(".")[0]


def test_the_ground_floor_imports_no_other_app():
    upward = [
        f"{relative} imports {module}"
        for relative, source in _modules()
        if relative.parts[0] == "core"
        for module, _top in _imports(source)
        if _app(module) != "core"
    ]
    assert upward == []


def test_no_modules_import_each_other_in_a_circle():
    """No chain of module-level imports leads back to where it started (the function-level import that dodged one
    is gone with it): a circle is a cycle of the module graph, found with Tarjan's strongly connected components."""
    names = {
        ".".join(("schooldesk", *relative.with_suffix("").parts)).removesuffix(".__init__"): source
        for relative, source in _modules()
    }
    edges: dict[str, set[str]] = defaultdict(set)
    for name, source in names.items():
        for module, top in _imports(source):
            if top:
                while module and module not in names:  # `from a.b import name`: the module a.b
                    module = module.rpartition(".")[0]
                edges[name].add(module)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in names:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while (member := stack.pop()) != node:
                component.append(member)
            if component:
                circles.append(sorted([node, *component]))

    for name in sorted(names):
        if name not in index:
            visit(name)
    assert circles == []


def test_every_permission_question_is_asked_of_the_rules():
    asked_elsewhere = [
        f"{relative}:{number}: {line.strip()}"
        for relative, source in _modules()
        if str(relative) not in ROLE_READERS
        for number, line in enumerate(source.splitlines(), 1)
        if ROLE_QUESTIONS.search(line)
    ]
    assert asked_elsewhere == []
