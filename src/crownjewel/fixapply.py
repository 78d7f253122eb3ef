"""Apply generated Terraform fixes (their line edits) to source files."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from crownjewel.model.findings import Finding, Fix, TextEdit


def apply_edits(edits: Iterable[TextEdit]) -> tuple[list[str], list[TextEdit]]:
    """Apply line edits file by file, bottom-up so line numbers stay valid.

    Edits that overlap an edit already applied in the same pass are skipped and returned, so a
    caller can rescan and regenerate them against the new text. Returns (files changed, skipped).
    """
    by_file: dict[str, list[TextEdit]] = defaultdict(list)
    for edit in edits:
        by_file[edit.file].append(edit)
    changed: list[str] = []
    skipped: list[TextEdit] = []
    for file, file_edits in by_file.items():
        path = Path(file)
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        appends = [e for e in file_edits if e.start is None]
        ranged = sorted((e for e in file_edits if e.start is not None), key=lambda e: e.start or 0, reverse=True)
        floor = len(lines) + 1
        for edit in ranged:
            start, end = edit.start or 1, edit.end or edit.start or 1
            if end >= floor:
                skipped.append(edit)
                continue
            replacement = edit.replacement if edit.replacement.endswith("\n") else edit.replacement + "\n"
            lines[start - 1:end] = [replacement]
            floor = start
        out = "".join(lines)
        for edit in appends:
            if edit.replacement.strip() and edit.replacement.strip() in out:
                continue  # the same supporting resource was already added by another fix
            out = out.rstrip("\n") + "\n\n" + edit.replacement.rstrip("\n") + "\n"
        if out != text:
            path.write_text(out, encoding="utf-8")
            changed.append(file)
    return changed, skipped


def apply_fixes(fixes: Iterable[Fix]) -> tuple[list[str], list[Fix]]:
    """Apply whole fixes: a fix whose block edits overlap one already taken is skipped entirely,
    appended resources included, so no fix is ever half applied. Rescan and regenerate the
    skipped ones against the new text. Returns (files changed, fixes skipped)."""
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    accepted: list[TextEdit] = []
    skipped: list[Fix] = []
    for fix in fixes:
        ranges = [(e.file, e.start, e.end or e.start) for e in fix.edits if e.start is not None]
        if any(start <= hi and lo <= end for file, start, end in ranges for lo, hi in taken[file]):
            skipped.append(fix)
            continue
        for file, start, end in ranges:
            taken[file].append((start, end))
        accepted.extend(fix.edits)
    changed, _ = apply_edits(accepted)
    return changed, skipped


def findings_fixes(findings: Iterable[Finding]) -> list[Fix]:
    """The fixes of every unsuppressed failing finding that has one."""
    return [f.fix for f in findings if f.counts and f.fix and f.fix.edits]
