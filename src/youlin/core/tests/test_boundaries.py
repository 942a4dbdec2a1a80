"""Layout rules read from the source: the product never imports the demo, and no app imports the scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import youlin

SRC = Path(youlin.__file__).parent


def imported_modules(source: str) -> set[str]:
    """Every module an ``import`` or ``from … import`` names, with ``from youlin import demo`` as ``youlin.demo``."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imports_package(source: str, package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in imported_modules(source))


def product_modules(*, besides: str) -> list[Path]:
    """Every module of the product: all of ``src/youlin`` but tests and the package ``besides``."""
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if "tests" not in path.relative_to(SRC).parts
        and path.relative_to(SRC).parts[0] != besides
        and path.name != "conftest.py"
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from youlin.demo.loader import load_demo", True),
        ("import youlin.demo.cases", True),
        ("from youlin import demo", True),
        ("def f():\n    from youlin.demo import loader", True),
        ("from youlin.demography import x", False),
        ("from youlin.places import services", False),
    ],
)
def test_the_scan_sees_every_form_of_import(source, found):
    assert imports_package(source, "youlin.demo") is found


def test_nothing_in_the_product_imports_the_demo():
    modules = product_modules(besides="demo")
    assert len(modules) > 100  # the scan really reads the product
    offenders = [str(p.relative_to(SRC)) for p in modules if imports_package(p.read_text(), "youlin.demo")]
    assert offenders == []


def test_no_app_imports_the_scheduler():
    # Apps declare their periodic tasks in ``tasks.PERIODIC``; ``youlin.scheduling`` finds them.
    offenders = [
        str(p.relative_to(SRC))
        for p in product_modules(besides="scheduling")
        if imports_package(p.read_text(), "youlin.scheduling")
    ]
    assert offenders == []
