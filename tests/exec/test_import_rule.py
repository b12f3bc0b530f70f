"""DESIGN.md import rule: ``exec`` imports nothing of Tantalio's outside itself."""

from __future__ import annotations

import ast
from pathlib import Path

EXEC = Path(__file__).resolve().parents[2] / "src" / "tantalio" / "exec"


def test_exec_imports_nothing_else_of_ours() -> None:
    for source in EXEC.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                assert not name.startswith("tantalio") or name.startswith("tantalio.exec"), (source.name, name)
