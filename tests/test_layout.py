"""The tree keeps the shape README "Layout" describes, so drift fails CI instead of piling up.

Every app under ``apps/`` has only the parts of the common anatomy it needs, plus the
app-specific modules it lists in its package docstring under "Beyond the common anatomy"
(one indented line each: the name, then what it is for). A new app that follows the
anatomy needs nothing else; one that adds a module says why in its ``__init__.py``.
No Python module anywhere in the project passes 400 lines (migrations are generated).
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "apps"

# The common anatomy (README "Layout"): the same names in every app, only the parts it needs.
ANATOMY = {
    "__init__.py",
    "apps.py",
    "models",  # models/ (one module per aggregate) or models.py
    "models.py",
    "actions",  # every write: actions/ or actions.py
    "actions.py",
    "api",  # DRF serializers, views, urls
    "graphql",
    "graphql.py",
    "views",
    "views.py",
    "forms.py",
    "urls.py",
    "tasks.py",  # Celery tasks: take ids, idempotent, acks_late
    "search.py",  # search index declarations
    "events.py",  # the event types the app declares and emits (apps.core.events)
    "demo.py",  # load_demo_data(stdout), idempotent
    "admin.py",
    "migrations",
    "management",
    "templatetags",
    "testing.py",  # helpers the tests of this and upper apps share
}
IGNORED = {"__pycache__"}
MAX_LINES = 400
EXTRAS_HEADING = "Beyond the common anatomy"
# Everything that is Python code of the project; generated migrations are exempt.
CODE_ROOTS = ("apps", "mesh_catalog", "bench", "scripts", "tests")


def app_dirs() -> list[Path]:
    return sorted(p for p in APPS.iterdir() if (p / "__init__.py").is_file())


def documented_extras(app: Path) -> set[str]:
    """The names an app's docstring lists under "Beyond the common anatomy" (``pkg/`` or ``module.py``)."""
    docstring = ast.get_docstring(ast.parse((app / "__init__.py").read_text())) or ""
    lines = docstring.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(EXTRAS_HEADING)), None)
    if start is None:
        return set()
    names = set()
    for line in lines[start + 1 :]:
        match = re.match(r"^\s+(\S+)\s{2,}\S", line)
        if not match:
            break
        names.add(match.group(1).rstrip("/"))
    return names


@pytest.mark.parametrize("app", app_dirs(), ids=lambda p: p.name)
def test_app_has_only_the_anatomy_and_its_documented_modules(app):
    entries = {p.name for p in app.iterdir() if p.name not in IGNORED and not p.name.startswith(".")}
    extras = documented_extras(app)
    undocumented = sorted(entries - ANATOMY - extras)
    assert not undocumented, (
        f"apps/{app.name} has {undocumented} outside the common anatomy (README 'Layout'). Use an anatomy name, "
        f"or list it in apps/{app.name}/__init__.py under '{EXTRAS_HEADING}' with what it is for."
    )
    stale = sorted(extras - entries)
    assert not stale, f"apps/{app.name}/__init__.py documents {stale}, which no longer exist"


@pytest.mark.parametrize("app", app_dirs(), ids=lambda p: p.name)
def test_app_uses_one_form_of_each_part(app):
    names = {p.name for p in app.iterdir()}
    both = [part for part in ("models", "actions", "graphql", "views") if part in names and f"{part}.py" in names]
    assert not both, f"apps/{app.name} has both a package and a module for {both}: keep one"


def test_readme_layout_documents_the_same_anatomy():
    """The README's Layout section and this test's list are one rule: neither drifts alone."""
    readme = (ROOT / "README.md").read_text()
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([\w.]+)/?`", layout))
    missing = sorted(name for name in ANATOMY - {"__init__.py"} if name not in documented)
    assert not missing, f"README 'Layout' does not describe {missing}"


def test_no_module_is_over_400_lines():
    too_long = []
    for root in CODE_ROOTS:
        for path in sorted((ROOT / root).rglob("*.py")):
            if "migrations" in path.parts or "__pycache__" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{path.relative_to(ROOT)} ({lines} lines)")
    assert not too_long, f"split these into packages (DESIGN 'Conventions'): {too_long}"


def test_the_rule_reads_a_documented_app_the_way_a_person_does(tmp_path):
    """The docstring rule itself: names listed under the heading count, prose around them does not."""
    app = tmp_path / "newapp"
    app.mkdir()
    (app / "__init__.py").write_text(
        '"""A new app.\n\nBeyond the common anatomy (README "Layout"):\n'
        "    engines/     one module per warehouse kind\n"
        "    guard.py     the guard rails\n"
        '\nAnything after a blank line is prose: notlisted.py  is not a module.\n"""\n'
    )
    assert documented_extras(app) == {"engines", "guard.py"}
