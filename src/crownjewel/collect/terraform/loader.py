"""Read Terraform directories with tfparse (Terraform's own HCL evaluation, compiled from Go).

tfparse resolves variables with defaults, locals, references, `count`/`for_each` and local
modules, and reports each resource with its file and lines. It stops at the first syntax error
of a module (or silently drops the file when asked not to stop), so each module directory is
parsed strictly; a file that fails is reported with its line and left out of a retry, so one bad
file never hides the others.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crownjewel.collect.problems import ERROR, WARNING, InputProblem
from crownjewel.model.assets import SourceRef

MAX_FILE_BYTES = 20 * 1024 * 1024
SKIP_DIRS = {".terraform", ".git", "node_modules", ".venv", "__pycache__"}
_TFPARSE_ERR = re.compile(r"(?P<file>[^\s:]+\.tf(?:\.json)?):(?P<line>\d+),(?P<col>\d+)(?:-[\d,]+)?: (?P<msg>.*)")
_MAX_RETRIES = 50


@dataclass(frozen=True, slots=True)
class TfResource:
    """One resource or data source instance as Terraform would address it."""

    address: str  # aws_s3_bucket.b, google_storage_bucket.b[0], module.m.aws_s3_bucket.x
    type: str
    mode: str  # "managed" | "data"
    values: Mapping[str, Any]
    source: SourceRef | None
    uid: str | None = None  # tfparse's id, what references to this resource resolve to
    root: str = ""  # the root module (directory or plan file) it was evaluated in
    references: tuple[str, ...] = ()  # tfparse ids of the resources its expressions reference
    local_address: str = ""  # the address inside its root, when `address` carries a root prefix


@dataclass(slots=True)
class TfInput:
    """Everything read from the Terraform targets."""

    resources: list[TfResource] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # file -> text
    files: int = 0


def load_directory(root: Path, into: TfInput) -> None:
    """Load every Terraform module directory under `root` (recursively)."""
    module_dirs = list(_module_dirs(root, into))
    called: set[Path] = set()
    parsed: list[tuple[Path, dict[str, Any]]] = []
    # tfparse releases the GIL while Go evaluates a module: parse modules on every core, then
    # merge in directory order so reports stay deterministic.
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(pool.map(_parse_isolated, module_dirs))
    for directory, (data, local) in zip(module_dirs, results):
        into.problems.extend(local.problems)
        into.sources.update(local.sources)
        into.files += local.files
        if data is None:
            continue
        parsed.append((directory, data))
        for module in data.get("module", []):
            source = module.get("source")
            if isinstance(source, str) and source.startswith(("./", "../")):
                target = (directory / source).resolve()
                if target.is_dir():
                    called.add(target)
                else:
                    meta = module.get("__tfmeta", {})
                    into.problems.append(InputProblem(
                        _display(directory / meta.get("filename", "")),
                        f"module {meta.get('label', '?')!r}: source {source!r} is not a directory",
                        meta.get("line_start"), WARNING))
    for directory, data in parsed:
        if directory.resolve() in called:
            continue  # evaluated through the module that calls it, with its real inputs
        into.resources.extend(_resources(directory, data))


def _parse_isolated(directory: Path) -> tuple[dict[str, Any] | None, TfInput]:
    local = TfInput()
    return _parse_module(directory, local), local


def load_file(path: Path, into: TfInput) -> None:
    """Load a single .tf file (its module directory, keeping only this file's resources)."""
    with tempfile.TemporaryDirectory(prefix="crownjewel-tf-") as tmp:
        os.symlink(path.resolve(), Path(tmp) / path.name)
        if not _readable(path, into):
            return
        data = _parse_module(Path(tmp), into, display_dir=path.parent)
        if data is not None:
            into.resources.extend(_resources(path.parent, data))


def _display(path: Path) -> str:
    return os.path.normpath(str(path))


def _module_dirs(root: Path, into: TfInput) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()

    def on_error(err: OSError) -> None:
        into.problems.append(InputProblem(_display(Path(err.filename or root)),
                                          f"cannot read directory: {err.strerror or err}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError as err:
            on_error(err)
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            into.problems.append(InputProblem(_display(Path(dirpath)),
                                              "symlink loop: directory already scanned, skipped",
                                              level=WARNING))
            dirnames[:] = []
            continue
        seen.add(key)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        if any(f.endswith(".tf") for f in filenames):
            yield Path(dirpath)


def _readable(path: Path, into: TfInput) -> bool:
    """Check one file before tfparse sees it: size, emptiness, binary content, encoding."""
    shown = _display(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            into.problems.append(InputProblem(
                shown, f"file is {size // (1024 * 1024)} MiB, over the {MAX_FILE_BYTES // (1024 * 1024)} MiB limit; skipped"))
            return False
        raw = path.read_bytes()
    except OSError as err:
        into.problems.append(InputProblem(shown, f"cannot read file: {err.strerror or err}"))
        return False
    into.files += 1
    if not raw.strip():
        into.problems.append(InputProblem(shown, "file is empty", level=WARNING))
        return True
    if b"\x00" in raw[:8192]:
        into.problems.append(InputProblem(shown, "binary file, not Terraform; skipped"))
        return False
    try:
        into.sources[shown] = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        into.problems.append(InputProblem(shown, "not valid UTF-8 text; skipped", line))
        return False
    return True


def _parse_module(directory: Path, into: TfInput, display_dir: Path | None = None) -> dict[str, Any] | None:
    """tfparse one module directory strictly; files that fail are reported and excluded."""
    import tfparse  # type: ignore[import-untyped]

    shown_dir = display_dir or directory
    excluded: set[str] = set()
    for entry in sorted(directory.iterdir()) if display_dir is None else []:
        if entry.suffix == ".tf" and entry.is_file() and not _readable(entry, into):
            excluded.add(entry.name)
    if display_dir is not None:
        pass  # the single file was checked by load_file
    for _ in range(_MAX_RETRIES):
        target, tmp = (directory, None) if not excluded else _shadow(directory, excluded)
        try:
            return tfparse.load_from_path(str(target), stop_on_hcl_error=True)  # type: ignore[no-any-return]
        except tfparse.ParseError as err:
            bad = _TFPARSE_ERR.search(str(err))
            if bad is None or bad.group("file") in excluded:
                into.problems.append(InputProblem(_display(shown_dir), f"cannot parse module: {_clean(str(err))}"))
                return None
            into.problems.append(InputProblem(
                _display(shown_dir / bad.group("file")), f"invalid HCL: {bad.group('msg')}",
                int(bad.group("line"))))
            excluded.add(Path(bad.group("file")).name)
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
    into.problems.append(InputProblem(_display(shown_dir), "too many invalid files; module skipped"))
    return None


def _shadow(directory: Path, excluded: set[str]) -> tuple[Path, str]:
    """A temporary directory linking everything of `directory` except the excluded files."""
    tmp = tempfile.mkdtemp(prefix="crownjewel-tf-")
    for entry in directory.iterdir():
        if entry.name not in excluded:
            os.symlink(entry.resolve(), Path(tmp) / entry.name)
    return Path(tmp), tmp


def _clean(message: str) -> str:
    return message.replace("unable to create TerraformConverter: ", "").strip()


def _resources(directory: Path, data: Mapping[str, Any]) -> Iterator[TfResource]:
    for type_name, items in data.items():
        if type_name in ("locals", "variable", "output", "module", "provider", "terraform"):
            continue
        for item in items:
            meta = item.get("__tfmeta", {})
            path = meta.get("path", "")
            mode = "data" if path.startswith("data.") or ".data." in path else "managed"
            if meta.get("type") not in (None, "resource", "data"):
                continue
            filename = meta.get("filename")
            source = (SourceRef(_display(directory / filename), int(meta.get("line_start", 1)),
                                int(meta.get("line_end", meta.get("line_start", 1))))
                      if filename else None)
            values = {k: v for k, v in item.items() if k not in ("__tfmeta", "id")}
            refs = tuple(str(r["id"]) for r in meta.get("references") or () if isinstance(r, dict) and r.get("id"))
            yield TfResource(path or f"{type_name}.?", meta.get("label", type_name), mode,
                             values, source, item.get("id"), root=_display(directory), references=refs)


__all__ = ["TfInput", "TfResource", "load_directory", "load_file", "ERROR", "WARNING"]
