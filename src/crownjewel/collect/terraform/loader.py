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
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from crownjewel.collect.problems import ERROR, WARNING, InputProblem
from crownjewel.model.assets import SourceRef

MAX_FILE_BYTES = 20 * 1024 * 1024
SKIP_DIRS = {".terraform", ".git", "node_modules", ".venv", "__pycache__"}
_POSITION = re.compile(r"(?P<line>\d+),(?P<col>\d+)(?:-[\d,]+)?: (?P<msg>.*)", re.DOTALL)
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
    dynamic_blocks: tuple[str, ...] = ()  # `dynamic "x"` blocks in its source: tfparse drops them
    local_address: str = ""  # the address inside its root, when `address` carries a root prefix


@dataclass(slots=True)
class TfInput:
    """Everything read from the Terraform targets."""

    resources: list[TfResource] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # file -> text
    files: int = 0


TF_SUFFIXES = (".tf", ".tf.json")


def _is_tf(name: str) -> bool:
    return name.endswith(TF_SUFFIXES)


def load_directory(root: Path, into: TfInput) -> None:
    """Load every Terraform module directory under `root` (recursively)."""
    module_dirs = list(_module_dirs(root, into))
    if not module_dirs:
        into.problems.append(InputProblem(_display(root), "no Terraform files (.tf, .tf.json) found", level=WARNING))
        return
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
        called.update(_module_calls(directory, data, into))
    for directory, data in parsed:
        if directory.resolve() in called:
            continue  # evaluated through the module that calls it, with its real inputs
        into.resources.extend(_with_dynamic_blocks(_resources(directory, data), into.sources))


_DYNAMIC = re.compile(r'^\s*dynamic\s+"?([A-Za-z0-9_-]+)"?\s*\{', re.MULTILINE)


def _with_dynamic_blocks(resources: Iterable[TfResource], sources: Mapping[str, str]) -> Iterator[TfResource]:
    """Note the `dynamic` blocks of each resource: tfparse leaves them out of its values, so the
    normalizers must not read their absence as "not configured"."""
    for res in resources:
        src = res.source
        text = sources.get(src.file) if src is not None else None
        if src is None or text is None or "dynamic" not in text:
            yield res
            continue
        lines = text.splitlines()[src.line - 1:src.end_line or src.line]
        names = tuple(dict.fromkeys(_DYNAMIC.findall("\n".join(lines))))
        yield replace(res, dynamic_blocks=names) if names else res


def _module_calls(directory: Path, data: Mapping[str, Any], into: TfInput) -> set[Path]:
    """Local module directories this root calls; warnings for calls whose code is not at hand."""
    called: set[Path] = set()
    installed = _installed_modules(directory)
    for module in data.get("module", []):
        meta = module.get("__tfmeta", {})
        source = module.get("source")
        # A nested call's source is relative to the file that declares it, not to the root.
        declaring = directory / os.path.dirname(meta.get("filename", ""))
        where = _display(directory / meta.get("filename", ""))
        label = meta.get("label", "?")
        if isinstance(source, str) and source.startswith(("./", "../")):
            target = (declaring / source).resolve()
            if target.is_dir():
                called.add(target)
            else:
                into.problems.append(InputProblem(
                    where, f"module {label!r}: source {source!r} is not a directory; its resources are not scanned",
                    meta.get("line_start"), WARNING))
        elif isinstance(source, str) and str(meta.get("path", "")).removeprefix("module.") not in installed:
            into.problems.append(InputProblem(
                where, f"module {label!r}: source {source!r} is not downloaded (run `terraform init` first); "
                "its resources are not scanned", meta.get("line_start"), WARNING))
    return called


def _installed_modules(directory: Path) -> set[str]:
    """Keys of the modules `terraform init` downloaded for this root (.terraform/modules)."""
    manifest = directory / ".terraform" / "modules" / "modules.json"
    try:
        import json

        entries = json.loads(manifest.read_text(encoding="utf-8")).get("Modules") or []
    except (OSError, ValueError, AttributeError):
        return set()
    return {str(e.get("Key")) for e in entries if isinstance(e, dict) and e.get("Key")}


def _parse_isolated(directory: Path) -> tuple[dict[str, Any] | None, TfInput]:
    local = TfInput()
    return _parse_module(directory, local), local


def load_file(path: Path, into: TfInput) -> None:
    """Load a single .tf file: its whole module directory is evaluated (variables and locals
    declared beside it, modules it calls), and only what this file declares is kept."""
    directory = path.parent
    data, local = _parse_isolated(directory)
    # Problems of sibling files are theirs; this file's and the module's own are reported.
    siblings = {_display(directory / f) for f in os.listdir(directory) if _is_tf(f) and f != path.name}
    into.problems.extend(p for p in local.problems if p.path not in siblings)
    into.sources.update(local.sources)
    into.files += 1
    if data is None:
        return
    own_modules = {m.get("__tfmeta", {}).get("label") for m in data.get("module", [])
                   if m.get("__tfmeta", {}).get("filename") == path.name}
    for res in _with_dynamic_blocks(_resources(directory, data), local.sources):
        file = res.source.file if res.source else ""
        top_module = res.address.split(".")[1] if res.address.startswith("module.") else None
        if file == _display(path) or (top_module is not None and top_module.split("[")[0] in own_modules):
            into.resources.append(res)


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
        if any(_is_tf(f) for f in filenames):
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


def _parse_module(directory: Path, into: TfInput) -> dict[str, Any] | None:
    """tfparse one module directory strictly; files that fail are reported and excluded."""
    import tfparse  # type: ignore[import-untyped]

    excluded: set[str] = set()
    names = sorted(e.name for e in directory.iterdir() if _is_tf(e.name) and e.is_file())
    for name in names:
        if not _readable(directory / name, into):
            excluded.add(name)
    for _ in range(_MAX_RETRIES):
        target, tmp = (directory, None) if not excluded else _shadow(directory, excluded)
        try:
            return tfparse.load_from_path(str(target), stop_on_hcl_error=True)  # type: ignore[no-any-return]
        except tfparse.ParseError as err:
            message = _clean(str(err))
            bad = _failing_file(message, names)
            if bad is None or bad[0] in excluded:
                into.problems.append(InputProblem(_display(directory), f"cannot parse module: {message}"))
                return None
            name, line, detail = bad
            into.problems.append(InputProblem(_display(directory / name), f"invalid HCL: {detail}", line))
            excluded.add(name)
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
    into.problems.append(InputProblem(_display(directory), "too many invalid files; module skipped"))
    return None


def _failing_file(message: str, names: list[str]) -> tuple[str, int, str] | None:
    """(file name, line, detail) of tfparse's `file.tf:12,3-4: detail`, matching the names of
    the directory's files (so names with spaces or colons are found whole)."""
    for name in sorted(names, key=len, reverse=True):
        if message.startswith(name + ":"):
            m = _POSITION.match(message, len(name) + 1)
            if m:
                return name, int(m.group("line")), m.group("msg")
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
