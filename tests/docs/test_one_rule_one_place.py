"""Each booking rule is written in one function and the doors call it (docs/architecture.md, "Where each rule
lives"). Read from the code itself, so that a copy slipped back into a bot, the booking page, the waitlist or
an admin fails here: the settings behind a rule are read only by that resource's rules.py, nobody imports
another module's private name, and the kernel's cancel rule is reached only through a resource's rules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "migrations", "generated", "node_modules", "__pycache__", "var", "static"}

# The setting → the one module that reads it.
RULE_SETTINGS = {
    "EQUIPMENT_DAY_STARTS": "equipment/rules.py",  # when a whole-day booking starts
    "EQUIPMENT_MAX_ADVANCE_DAYS": "equipment/rules.py",  # horizon
    "EQUIPMENT_MAX_RANGE_DAYS": "equipment/rules.py",  # how many days one booking covers
    "CABINET_MIN_ADVANCE_MINUTES": "cabinets/rules.py",  # lead time
    "CABINET_MAX_ADVANCE_DAYS": "cabinets/rules.py",  # horizon
}

# Who may cancel: the kernel's rule, asked with a resource's start instant. Only the resources' rules ask it
# (and a cabinet series, whose deadline is its first date still ahead).
CANCEL_RULE = {"can_cancel", "check_can_cancel"}
CANCEL_RULE_CALLERS = {"equipment/rules.py", "cabinets/rules.py", "cabinets/series.py"}


def project_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")}


def project_modules() -> Iterator[tuple[str, ast.Module]]:
    """Every .py file of the project outside tests, migrations and generated code, with its syntax tree."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        yield "/".join(parts), ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def settings_read(tree: ast.Module, names) -> set[str]:
    """The names among `names` this module reads: `settings.NAME` or `getattr(settings, "NAME", …)`."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:
            found.add(node.attr)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value in names):
            found.add(node.args[1].value)
    return found


def test_the_settings_of_horizons_lead_time_and_the_equipment_day_are_read_only_by_their_resource_rules():
    readers: dict[str, set[str]] = {}
    for module, tree in project_modules():
        if module == "booking_site/settings.py":
            continue
        for name in settings_read(tree, RULE_SETTINGS):
            readers.setdefault(name, set()).add(module)
    strays = {name: sorted(modules - {RULE_SETTINGS[name]}) for name, modules in readers.items()
              if modules - {RULE_SETTINGS[name]}}
    assert strays == {}, "read these through the resource's rules.py instead"
    # The rules do read them: the check above is not passing because nothing reads the settings at all.
    assert readers == {name: {module} for name, module in RULE_SETTINGS.items()}


def test_the_check_sees_a_door_that_reads_a_horizon_itself():
    door = ast.parse("from django.conf import settings\n"
                     "last = today + timedelta(days=settings.CABINET_MAX_ADVANCE_DAYS)\n"
                     "starts = getattr(settings, 'EQUIPMENT_DAY_STARTS', '09:00')\n")
    assert settings_read(door, RULE_SETTINGS) == {"CABINET_MAX_ADVANCE_DAYS", "EQUIPMENT_DAY_STARTS"}


def private_imports(module: str, tree: ast.Module, packages: set[str]) -> list[str]:
    """`from other.module import _name` of the project's own modules (a relative import is the same package)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if node.module.split(".")[0] not in packages:
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                found.append(f"{module}:{node.lineno} from {node.module} import {alias.name}")
    return found


def test_no_module_imports_a_private_name_of_another():
    packages = project_packages()
    found = [line for module, tree in project_modules() for line in private_imports(module, tree, packages)]
    assert found == [], "make the name public in the module that owns the rule (its rules.py) and call that"


def test_the_check_sees_a_private_import_even_inside_a_function():
    tree = ast.parse("def check_window():\n    from cabinets.services import _check_lead_time\n")
    assert private_imports("cabinets/adapter.py", tree, {"cabinets"}) == [
        "cabinets/adapter.py:2 from cabinets.services import _check_lead_time"]


def cancel_rule_imports(tree: ast.Module) -> set[str]:
    return {alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "kernel.lifecycle"
            for alias in node.names if alias.name in CANCEL_RULE}


def test_who_may_cancel_is_reached_through_a_resource_rules_module_only():
    callers = {module for module, tree in project_modules()
               if not module.startswith("kernel/") and cancel_rule_imports(tree)}
    assert callers <= CANCEL_RULE_CALLERS, "ask the resource's rules.can_cancel / rules.check_can_cancel"
    assert {"equipment/rules.py", "cabinets/rules.py"} <= callers


def whole_day_starts(tree: ast.Module) -> list[int]:
    """`datetime.combine(<something>.start_date, …)`: a whole-day booking's start computed by hand."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "combine"
            and node.args and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == "start_date"]


def test_the_start_of_a_whole_day_booking_is_computed_only_by_equipment_rules():
    found = {module: lines for module, tree in project_modules()
             if module != "equipment/rules.py" and (lines := whole_day_starts(tree))}
    assert found == {}, "call equipment.rules.booking_starts_at(booking)"
    assert whole_day_starts(ast.parse("datetime.combine(booking.start_date, time(0, 0), tzinfo=zone)")) == [1]


MONEY_RULE = {"money_text", "currency_sign"}


def money_writers(tree: ast.Module) -> set[str]:
    """The functions of MONEY_RULE a module defines itself."""
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name in MONEY_RULE}


def test_money_is_written_by_one_function_that_every_door_calls():
    found = {module: names for module, tree in project_modules() if (names := money_writers(tree))}
    assert found == {"kernel/pricing/labels.py": MONEY_RULE}, "write money with kernel.pricing.labels.money_text"
    assert money_writers(ast.parse("def money_text(amount):\n    return f'{amount} ₽'\n")) == {"money_text"}
