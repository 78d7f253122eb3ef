"""Applying fixes: bottom-up line edits, and never half a fix."""
from __future__ import annotations

from pathlib import Path

from crownjewel.fixapply import apply_fixes
from crownjewel.model.findings import Fix, TextEdit


def test_overlapping_fix_is_skipped_whole_including_its_appends(tmp_path: Path) -> None:
    f = tmp_path / "main.tf"
    f.write_text("a\nb\nc\nd\n")
    first = Fix("x", (TextEdit(str(f), "B\n", 2, 2),))
    second = Fix("y", (TextEdit(str(f), "BC\n", 2, 3), TextEdit(str(f), 'resource "x" "y" {}')))
    third = Fix("z", (TextEdit(str(f), "D\n", 4, 4), TextEdit(str(f), 'resource "k" "v" {}')))
    changed, skipped = apply_fixes([first, second, third])
    assert changed == [str(f)] and skipped == [second]
    assert f.read_text() == 'a\nB\nc\nD\n\nresource "k" "v" {}\n'


def test_identical_appends_are_added_once(tmp_path: Path) -> None:
    f = tmp_path / "main.tf"
    f.write_text("a\n")
    block = 'resource "k" "v" {}'
    apply_fixes([Fix("1", (TextEdit(str(f), block),)), Fix("2", (TextEdit(str(f), block),))])
    assert f.read_text().count(block) == 1
