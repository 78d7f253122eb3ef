"""What CloudTrail event selectors record of S3 object reads: one reading for live trails (API
replies) and Terraform (`aws_cloudtrail` blocks), so both answer the same way.

A selector counts only if it records reads (`GetObject`, what takes the weights). Values are
returned as written, or `ALL_BUCKETS` for the "every bucket" forms of any partition; the caller
decides what an unresolved value means.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ALL_BUCKETS = "*"
_EVERYTHING = re.compile(r"^arn:aws[a-z-]*:s3(:::(\*(/\*)?)?)?/?$")  # arn:aws:s3, arn:aws-cn:s3:::, ...

Operators = Mapping[str, Sequence[Any]]  # equals / not_equals / starts_with / ... -> values


def bucket_value(value: str) -> str:
    """`ALL_BUCKETS` for the every-bucket forms, else the value itself."""
    return ALL_BUCKETS if _EVERYTHING.match(value) else value


def basic_selector_values(read_write_type: Any, resources: Iterable[tuple[Any, Any]]) -> list[Any] | None:
    """Values of a basic event selector's `AWS::S3::Object` data resources ((type, values) pairs),
    or None when it records no object reads."""
    if read_write_type == "WriteOnly":
        return None  # records PutObject, not the GetObject that takes the weights
    found: list[Any] = []
    for kind, values in resources:
        if kind == "AWS::S3::Object":
            found.extend(values if isinstance(values, (list, tuple)) else [values])
    return found


def advanced_selector_values(fields: Mapping[str, Operators]) -> list[Any] | None:
    """Values of an advanced selector's `resources.ARN` (`[ALL_BUCKETS]` when it has none), or
    None when it does not record S3 object reads (other category or type, write-only, an
    eventName filter leaving GetObject out, or ARN exclusions we count on the safe side)."""

    def ops(name: str, op: str) -> Sequence[Any]:
        return fields.get(name, {}).get(op) or ()

    if "Data" not in ops("eventCategory", "equals") or "AWS::S3::Object" not in ops("resources.type", "equals"):
        return None
    if "false" in ops("readOnly", "equals") or "true" in ops("readOnly", "not_equals"):
        return None
    names = fields.get("eventName")
    if names and (("equals" in names and "GetObject" not in ops("eventName", "equals"))
                  or "GetObject" in ops("eventName", "not_equals")):
        return None
    arn = fields.get("resources.ARN")
    if arn is None:
        return [ALL_BUCKETS]
    if arn.get("not_starts_with") or arn.get("not_equals") or arn.get("not_ends_with"):
        return None  # exclusions may cover the bucket: counted as not covering (safe side)
    return list(arn.get("starts_with") or ()) + list(arn.get("equals") or ())


_API_OPERATORS = {"Equals": "equals", "NotEquals": "not_equals", "StartsWith": "starts_with",
                  "NotStartsWith": "not_starts_with", "EndsWith": "ends_with", "NotEndsWith": "not_ends_with"}


def api_fields(selector: Mapping[str, Any]) -> dict[str, Operators]:
    """An API AdvancedEventSelector's FieldSelectors in the operator names Terraform uses."""
    out: dict[str, Operators] = {}
    for f in selector.get("FieldSelectors") or ():
        if isinstance(f, Mapping):
            out[str(f.get("Field"))] = {_API_OPERATORS[k]: v for k, v in f.items() if k in _API_OPERATORS}
    return out
