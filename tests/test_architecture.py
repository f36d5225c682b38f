"""The one-way house: import contracts, SQL only in the store, our imports at the top, heavy ones lazy."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import plantrack

PACKAGE = Path(plantrack.__file__).resolve().parent
HEAVY = {"rich", "jinja2", "dateutil", "sqlite_utils", "opencc", "xlsxwriter", "icalendar", "typer"}


def _lint_imports(pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    config = Path(__file__).resolve().parents[1] / "pyproject.toml"
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--config", str(config), "--no-cache"],
        capture_output=True, text=True, env=env, cwd=pythonpath or Path.cwd(),
    )  # fmt: skip


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        out.append((rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)))
    return out


def test_every_import_contract_is_kept() -> None:
    r = _lint_imports()
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout
    assert r.stdout.count(" KEPT") >= 9  # one per forbidden direction, plus no cycles


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("core/progress.py", "from plantrack.store import db", "core is pure"),
        ("render/markdown.py", "from plantrack.store import ledger", "render turns values into output"),
        ("plan/planfile.py", "import sqlite3", "plan reads objectives.toml"),
        ("store/db.py", "from plantrack.render import safe", "store holds the SQL"),
        ("report/__init__.py", "from plantrack.render import labels", "report is the neutral Report"),
        ("store/fts.py", "from plantrack.store import search", "no import cycles"),
    ],
)
def test_a_wrong_import_breaks_a_contract(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    copy = tmp_path / "plantrack"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    text = target.read_text(encoding="utf-8")
    head, sep, rest = text.partition("from __future__ import annotations\n")
    target.write_text(head + sep + bad_import + "\n" + rest, encoding="utf-8")
    r = _lint_imports(tmp_path)
    assert r.returncode != 0, r.stdout
    summary = " ".join(r.stdout.split())  # long contract names wrap in the report
    after = summary[summary.index(contract) :]
    verdicts = [(after.find(v), v) for v in (" KEPT", " BROKEN") if after.find(v) >= 0]
    assert min(verdicts)[1] == " BROKEN", r.stdout


def test_sql_is_written_only_in_the_store() -> None:
    offenders = []
    for rel, tree in _modules():
        if rel.startswith("store/"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "executescript"):
                offenders.append(f"{rel}:{node.lineno}")
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.upper()
                if any(k in words for k in ("SELECT ", "INSERT INTO", "DELETE FROM", "CREATE TABLE")):
                    offenders.append(f"{rel}:{node.lineno}")
    assert offenders == []


def test_our_modules_are_imported_at_the_top_and_heavy_ones_lazily() -> None:
    nested_ours, eager_heavy = [], []
    for rel, tree in _modules():
        top = set(id(n) for n in tree.body)
        type_checking = {
            id(child)
            for n in tree.body
            if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
            for child in ast.walk(n)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            ours = any(n == "plantrack" or n.startswith("plantrack.") for n in names)
            heavy = any(n.split(".")[0] in HEAVY for n in names)
            # The one exception: the fast entry path loads the Typer application only when needed.
            lazy_typer = rel == "cli/main.py" and names == ["plantrack.cli.app"]
            if ours and id(node) not in top and id(node) not in type_checking and not lazy_typer:
                nested_ours.append(f"{rel}:{node.lineno}")
            # Typer is the CLI's own framework: cli/ may load it at the top (the fast path avoids cli.app).
            if heavy and id(node) in top and not (rel.startswith("cli/") and names[0].startswith("typer")):
                eager_heavy.append(f"{rel}:{node.lineno}")
    assert nested_ours == []
    assert eager_heavy == []


def test_the_shared_values_live_in_models() -> None:
    from plantrack import models

    for name in ("Entry", "Attachment", "Draft", "Change", "Revision", "Event", "Plan"):
        assert getattr(models, name).__module__ == "plantrack.models"
