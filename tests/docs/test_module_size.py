"""No module of the project grows past 400 lines (migrations, tests and generated code aside): a module that
does is holding more than one job and is split, as the services and the bots were."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400
SKIPPED_DIRS = {"tests", "migrations", "generated", "node_modules", "__pycache__", "var", "static"}


def long_modules(root: Path, limit: int = LIMIT) -> dict[str, int]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found["/".join(parts)] = lines
    return found


def test_no_module_outside_migrations_tests_and_generated_code_exceeds_400_lines():
    assert long_modules(ROOT) == {}


def test_a_long_module_is_found_and_a_migration_is_not(tmp_path):
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "views.py").write_text("x = 1\n" * (LIMIT + 1))
    (tmp_path / "app" / "forms.py").write_text("x = 1\n" * LIMIT)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("x = 1\n" * (LIMIT + 1))
    assert long_modules(tmp_path) == {"app/views.py": LIMIT + 1}
