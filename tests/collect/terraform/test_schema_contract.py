"""Every attribute a Terraform normalizer emits is documented in model/schema.py (the contract
rules read), for every bundled example and the demo estate."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from crownjewel.model.schema import SCHEMA
from crownjewel.pipeline import scan_paths

ROOT = Path(str(resources.files("crownjewel")))


def test_normalizers_only_emit_documented_attributes() -> None:
    targets = [str(ROOT / "examples" / "estate" / "terraform")]
    targets += [str(p) for p in sorted((ROOT / "rules" / "examples").glob("*/*.tf"))]
    undocumented: dict[str, set[str]] = {}
    seen = 0
    for target in targets:
        result = scan_paths([target])
        for asset in result.graph.assets():
            seen += 1
            allowed = SCHEMA.get(asset.kind, {})
            for key in list(asset.attrs) + list(asset.unknown):
                if key not in allowed:
                    undocumented.setdefault(f"{asset.kind.value}", set()).add(key)
    assert seen > 100
    assert not undocumented, {k: sorted(v) for k, v in undocumented.items()}
