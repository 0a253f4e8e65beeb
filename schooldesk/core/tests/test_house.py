"""The house keeps its shape (issue 18, docs/architecture.md): the ground floor imports no other app, no modules
import each other in a circle, and every permission question is asked of the one rules module (decision 0036)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # schooldesk/

#: the only modules that may read roles directly: the roles themselves, the mechanism and the rules
ROLE_READERS = {"core/access.py", "core/permissions.py", "permissions/rules.py"}
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


def test_a_selector_that_reads_for_a_person_takes_them_by_name():
    """Selectors are keyword-only, like the services: `asset_list(user=...)`, never `asset_list(request.user)`."""
    positional = []
    for relative, source in _modules():
        if not relative.name.startswith("selectors"):
            continue
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if "user" in [arg.arg for arg in (*node.args.posonlyargs, *node.args.args)]:
                    positional.append(f"{relative}: {node.name}")
    assert positional == []


def test_a_list_view_names_its_pieces_and_overrides_none_of_the_base():
    """A list is a selector, a FilterSet, a table and a template (core/views.py FilteredListView): a subclass names
    them; it does not make its rows itself."""
    import importlib

    from schooldesk.core.views import FilteredListView

    for relative, _source in _modules():
        if relative.name.startswith("views"):
            importlib.import_module(".".join(("schooldesk", *relative.with_suffix("").parts)))
    lists = []
    pending = list(FilteredListView.__subclasses__())
    while pending:
        view = pending.pop()
        lists.append(view)
        pending.extend(view.__subclasses__())
    assert len(lists) >= 12
    overriding = [view.__qualname__ for view in lists if "get_queryset" in vars(view) or "get_rows" in vars(view)]
    assert overriding == []
    assert [view.__qualname__ for view in lists if view.filterset_class is None] == []


def test_a_list_page_draws_its_table_from_its_declaration():
    """Tables are made one way (decision 0039): every FilteredListView names its `table` (a core.tables.Table,
    declared in the app's tables.py) and its template draws it with `{% list_table %}`, never a `<table>` of its own:
    a list's columns are declared once, for its page and its downloads."""
    import importlib

    from django.template.loader import get_template

    from schooldesk.core.tables import Table
    from schooldesk.core.views import FilteredListView

    for relative, _source in _modules():
        if relative.name.startswith("views"):
            importlib.import_module(".".join(("schooldesk", *relative.with_suffix("").parts)))
    lists, pending = [], list(FilteredListView.__subclasses__())
    while pending:
        view = pending.pop()
        lists.append(view)
        pending.extend(view.__subclasses__())
    assert len(lists) >= 12
    assert [view.__qualname__ for view in lists if not isinstance(view.table, Table)] == []
    own_tables = []
    for view in lists:
        source = Path(get_template(view.template_name).origin.name).read_text()
        for included in re.findall(r'{% include "([^"]+)"', source):  # the call list's table, shared by many pages
            source += Path(get_template(included).origin.name).read_text()
        if "<table" in source or "{% list_table " not in source:
            own_tables.append(view.template_name)
    assert own_tables == []


#: the longest a template line may be: a longer one hides its markup from review and from diffs
TEMPLATE_LINE_LIMIT = 300


def test_no_template_line_is_longer_than_the_limit():
    """Issue 18: a template line is at most 300 characters. Long markup is broken where the line break cannot
    render (between block elements, inside a tag, in a `{% blocktranslate trimmed %}` sentence or a comment)."""
    long_lines = [
        f"{path.relative_to(ROOT)}:{number}: {len(line)} characters"
        for path in sorted(ROOT.rglob("*.html"))
        if "static" not in path.relative_to(ROOT).parts  # vendor files, not templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if len(line) > TEMPLATE_LINE_LIMIT
    ]
    assert long_lines == []
