"""Read AWS policy documents (bucket, key, repository, identity policies) and judge their grants.

A policy arrives as JSON text (`jsonencode(...)`, heredocs, plan JSON), as the tfparse id of a
`data.aws_iam_policy_document` (whose statement blocks are converted here), or as an unresolved
reference. A statement that `Allow`s `Principal: "*"` (or `{"AWS": "*"}`, or uses `NotPrincipal`)
is public unless one of its conditions pins callers to known accounts, organisations or
networks (`aws:PrincipalOrgID`, `aws:SourceVpce`, `kms:CallerAccount`, ...).

Deliberately stricter than Checkov: a condition only restricts when the request must carry the
key: `...IfExists` operators and `ForAllValues:` (true when the key is absent) do not count, nor
do negated operators (`ArnNotEquals aws:PrincipalArn` allows everyone but one principal), nor
`aws:username` (user names are not unique across accounts).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crownjewel.collect.problems import WARNING, InputProblem
from crownjewel.collect.terraform.aws_common import cached
from crownjewel.collect.terraform.loader import TfResource
from crownjewel.collect.terraform.normalize import TfContext, blocks, is_ref

# Condition keys that, compared positively with a concrete value, limit who can use a grant to
# known accounts, organisations, networks or identities.
RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceVpc", "aws:SourceVpce", "aws:SourceVpcArn", "aws:SourceIp", "aws:VpcSourceIp",
    "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID", "aws:SourceOrgPaths",
    "aws:SourceOwner", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:userid",
    "kms:CallerAccount", "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
    "ecr:ResourceTag/aws:PrincipalAccount",
))
_ARN_KEYS = frozenset(k.lower() for k in ("aws:PrincipalArn", "aws:SourceArn", "aws:SourceVpcArn",
                                          "s3:DataAccessPointArn"))
_POSITIVE_OPS = frozenset(o.lower() for o in (
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress",
    "NumericEquals",
))
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_OPEN_NETWORKS = {"0.0.0.0/0", "::/0"}
PUBLIC_GROUP = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_GROUP = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@dataclass(frozen=True, slots=True)
class Statement:
    """One policy statement, normalized (lists everywhere, operator/key/values conditions)."""

    index: int
    sid: str | None
    effect: str
    principals: tuple[tuple[str, str], ...] | None  # (type, id); None: no Principal element
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[tuple[str, str, tuple[Any, ...]], ...]

    @property
    def label(self) -> str:
        """How evidence names the statement: its Sid, else its position."""
        return repr(self.sid) if self.sid else f"#{self.index + 1}"

    @property
    def allows(self) -> bool:
        """Whether the statement grants (Allow) rather than denies."""
        return self.effect.lower() == "allow"


@dataclass(frozen=True, slots=True)
class PolicyDoc:
    """A parsed policy: its statements and JSON text, or why it cannot be read."""

    statements: tuple[Statement, ...] = ()
    json_text: str | None = None
    unknown: str | None = None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _principals(value: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):
        return (("*", value),) if value == "*" else (("AWS", value),)
    if isinstance(value, Mapping):
        return tuple((str(kind), str(p)) for kind, ids in value.items() for p in _as_list(ids))
    if isinstance(value, list):
        return tuple(("AWS", str(p)) for p in value)
    return ()


def _conditions(value: Any) -> tuple[tuple[str, str, tuple[Any, ...]], ...]:
    found: list[tuple[str, str, tuple[Any, ...]]] = []
    if isinstance(value, Mapping):
        for op, body in value.items():
            if isinstance(body, Mapping):
                for key, values in body.items():
                    found.append((str(op), str(key), tuple(_as_list(values))))
    return tuple(found)


def parse_document(doc: Any) -> PolicyDoc:
    """Statements of a policy given as data (already decoded JSON)."""
    if not isinstance(doc, Mapping):
        return PolicyDoc(unknown="the policy is not a JSON object")
    raw = doc.get("Statement")
    if raw is None and "Statement" in doc:
        return PolicyDoc(unknown="the policy's statements are computed at apply time")
    statements = []
    for i, st in enumerate(_as_list(raw)):
        if not isinstance(st, Mapping):
            return PolicyDoc(unknown=f"statement #{i + 1} is computed at apply time")
        has_principal = "Principal" in st or "NotPrincipal" in st
        statements.append(Statement(
            index=i, sid=st.get("Sid") if isinstance(st.get("Sid"), str) else None,
            effect=str(st.get("Effect", "Allow")),
            principals=_principals(st.get("Principal", st.get("NotPrincipal"))) if has_principal else None,
            not_principal="NotPrincipal" in st,
            actions=tuple(str(a) for a in _as_list(st.get("Action", st.get("NotAction")))),
            not_action="NotAction" in st,
            resources=tuple(str(r) for r in _as_list(st.get("Resource", st.get("NotResource")))),
            not_resource="NotResource" in st,
            conditions=_conditions(st.get("Condition")),
        ))
    return PolicyDoc(tuple(statements), json.dumps(doc, sort_keys=False))


def _document_from_data_source(ctx: TfContext, res: TfResource) -> Mapping[str, Any] | str:
    """The JSON form of a `data.aws_iam_policy_document`, or why it cannot be built."""
    values = res.values
    statements: list[dict[str, Any]] = []
    for key in ("source_policy_documents", "source_json"):
        for text in _as_list(values.get(key)):
            decoded = json.loads(text) if isinstance(text, str) and text.strip().startswith("{") else None
            if decoded is None:
                return f"{res.address}.{key} is computed at apply time"
            statements.extend(_as_list(decoded.get("Statement")))
    for block in blocks(values.get("statement")):
        st: dict[str, Any] = {"Effect": block.get("effect") or "Allow"}
        if isinstance(block.get("sid"), str):
            st["Sid"] = block["sid"]
        for src, dst in (("actions", "Action"), ("not_actions", "NotAction"),
                         ("resources", "Resource"), ("not_resources", "NotResource")):
            if block.get(src) is not None:
                if is_ref(block[src]):
                    return ctx.unresolved(res, f"statement.{src}", block[src])
                st[dst] = block[src]
        for src, dst in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            found = blocks(block.get(src))
            if not found:
                continue
            merged: dict[str, list[Any]] = {}
            for p in found:
                ids = p.get("identifiers")
                if is_ref(ids) or is_ref(p.get("type")):
                    return ctx.unresolved(res, f"statement.{src}", ids if is_ref(ids) else p.get("type"))
                merged.setdefault(str(p.get("type")), []).extend(_as_list(ids))
            st[dst] = "*" if set(merged) == {"*"} else merged
        conditions: dict[str, dict[str, Any]] = {}
        for c in blocks(block.get("condition")):
            conditions.setdefault(str(c.get("test")), {})[str(c.get("variable"))] = c.get("values")
        if conditions:
            st["Condition"] = conditions
        statements.append(st)
    for text in _as_list(values.get("override_policy_documents")) + _as_list(values.get("override_json")):
        decoded = json.loads(text) if isinstance(text, str) and text.strip().startswith("{") else None
        if decoded is None:
            return f"{res.address}.override_policy_documents is computed at apply time"
        statements.extend(_as_list(decoded.get("Statement")))
    return {"Version": values.get("version") or "2012-10-17", "Statement": statements}


def load_policy(ctx: TfContext, res: TfResource, key: str, value: Any) -> PolicyDoc:
    """The policy set by attribute `key` of `res` (absent or empty: no statements).

    Its `json_text` (kept for fixes that rewrite the policy) names declared resources again:
    tfparse turned `aws_kms_key.k.arn` into an id and `aws_s3_bucket.b.arn` into the bucket's
    ARN; both come back as `{"__tf_ref__": "aws_kms_key.k.arn"}` or a `__tf_tpl__` template.
    """
    doc = _load_policy(ctx, res, key, value)
    if doc.json_text:
        restored = _with_references(ctx, res, json.loads(doc.json_text))
        doc = PolicyDoc(doc.statements, json.dumps(restored), doc.unknown)
    return doc


_ORDER = ("Version", "Id", "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action",
          "NotAction", "Resource", "NotResource", "Condition")
_MODULE = re.compile(r"^((?:module\.[^.]+\.)*)")


def _local(res: TfResource) -> tuple[str, str]:
    """(module path, address inside the module) of a resource, without any root prefix."""
    address = res.local_address or res.address
    m = _MODULE.match(address)
    prefix = m.group(1) if m else ""
    return prefix, address[len(prefix):]


def _module_names(ctx: TfContext) -> dict[str, tuple[dict[str, str | None], dict[str, str]]]:
    """Per module path: bucket name -> local address (None when ambiguous), uid -> local address."""
    found: dict[str, tuple[dict[str, str | None], dict[str, str]]] = {}
    for uid, r in ctx.by_uid.items():
        prefix, local = _local(r)
        found.setdefault(prefix, ({}, {}))[1][uid] = local
    for bucket in ctx.by_type.get("aws_s3_bucket", ()):
        name, (prefix, local) = bucket.values.get("bucket"), _local(bucket)
        if isinstance(name, str):
            buckets = found.setdefault(prefix, ({}, {}))[0]
            buckets[name] = None if name in buckets else local
    return found


def _with_references(ctx: TfContext, res: TfResource, data: Any) -> Any:
    buckets, uids = cached(ctx, "module_names", lambda: _module_names(ctx)).get(_local(res)[0], ({}, {}))

    def template(ref: str, rest: str) -> dict[str, str]:
        escaped = rest.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{")
        return {"__tf_tpl__": "${" + ref + "}" + escaped}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            keys = sorted(value, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER), k))
            return {k: walk(value[k]) for k in keys}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, str):
            return value
        if value in uids:
            return {"__tf_ref__": f"{uids[value]}.arn"}
        head, sep, rest = value.partition("/")
        if sep and head in uids:
            return template(f"{uids[head]}.arn", sep + rest)
        if value.startswith("arn:aws:s3:::"):
            name, sep, rest = value[len("arn:aws:s3:::"):].partition("/")
            local = buckets.get(name)
            if local:
                return {"__tf_ref__": f"{local}.arn"} if not sep else template(f"{local}.arn", sep + rest)
        return value

    return walk(data)


def _load_policy(ctx: TfContext, res: TfResource, key: str, value: Any) -> PolicyDoc:
    if value is None or value == "":
        return PolicyDoc()
    target = None
    if isinstance(value, str) and value in ctx.by_uid:
        target = ctx.by_uid[value]
    elif is_ref(value):
        target = ctx.resolve(value, "aws_iam_policy_document")
        if target is None:
            return PolicyDoc(unknown=ctx.unresolved(res, key, value))
    if target is not None:
        if target.type != "aws_iam_policy_document":
            return PolicyDoc(unknown=f"{res.address}.{key} is the policy of {target.address}, "
                                     "not readable before apply")
        doc = _document_from_data_source(ctx, target)
        return PolicyDoc(unknown=doc) if isinstance(doc, str) else parse_document(doc)
    if isinstance(value, Mapping):
        return parse_document(value)
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            if "${" in value:
                return PolicyDoc(unknown=f"{res.address}.{key} is an unresolved expression")
            try:  # a trailing comma: AWS rejects the policy, but what it grants is plain
                decoded = json.loads(_TRAILING_COMMA.sub(r"\1", value))
            except ValueError:
                return PolicyDoc(unknown=f"{res.address}.{key} is not valid JSON")
            where = res.source.file if res.source else res.address
            ctx.problems.append(InputProblem(where, f"{res.address}.{key} is not valid JSON (trailing "
                                             "comma): AWS will reject it; read as intended",
                                             res.source.line if res.source else None, WARNING))
        return parse_document(decoded)
    return PolicyDoc(unknown=f"{res.address}.{key} has an unexpected value")


# ------------------------------------------------------------------------------ judgement


def _restricting_value(key: str, value: Any) -> bool:
    if is_ref(value) or (isinstance(value, str) and "${" in value):
        return True  # a concrete value chosen by the author, known at apply
    if not isinstance(value, str):
        return value is not None and value != ""
    v = value.strip()
    if not v or v == "*" or v in _OPEN_NETWORKS:
        return False
    if key in _ARN_KEYS:
        parts = v.split(":")
        return len(parts) >= 5 and parts[4] not in ("", "*") and "*" not in parts[4]
    return not v.startswith("*") and not v.startswith("?")


def restricting_condition(st: Statement) -> str | None:
    """The first condition that pins callers to known accounts / networks, as text, or None."""
    for op, key, values in st.conditions:
        op_l, key_l = op.lower(), key.lower()
        if op_l.startswith("forallvalues:") or op_l.endswith("ifexists"):
            continue
        base = op_l.split(":", 1)[1] if op_l.startswith("foranyvalue:") else op_l
        if base not in _POSITIVE_OPS or key_l not in RESTRICTING_KEYS:
            continue
        if values and all(_restricting_value(key_l, v) for v in values):
            return f"{op} {key}"
    return None


def public_principal(st: Statement) -> str | None:
    """How an Allow statement names everyone (`"*"`, `{"AWS": "*"}`, NotPrincipal), or None."""
    if not st.allows or st.principals is None:
        return None
    if st.not_principal:
        return "NotPrincipal (everyone but the listed principals)"
    for kind, ident in st.principals:
        if ident == "*" and kind.lower() != "service":
            return 'Principal "*"' if kind == "*" else f'Principal {{"{kind}": "*"}}'
    return None


def public_statements(doc: PolicyDoc, where: str) -> tuple[tuple[Statement, str], ...]:
    """(statement, evidence) for every statement granting everyone without a restricting condition."""
    found = []
    for st in doc.statements:
        who = public_principal(st)
        if who is None or restricting_condition(st) is not None:
            continue
        verb = "all actions except " if st.not_action else ""
        actions = ", ".join(st.actions) or "(no action)"
        cond = " (its conditions do not pin callers to known accounts or networks)" if st.conditions else ""
        found.append((st, f"{where} statement {st.label} allows {verb}{actions} to {who}{cond}"))
    return tuple(found)


def wildcard_statements(doc: PolicyDoc, where: str) -> tuple[str, ...]:
    """Evidence for every Allow statement naming everyone, restricted or not."""
    out = []
    for st in doc.statements:
        who = public_principal(st)
        if who is not None:
            cond = restricting_condition(st)
            out.append(f"{where} statement {st.label} allows {who}"
                       + (f" restricted by {cond}" if cond else ""))
    return tuple(out)


def action_matches(granted: str, wanted: Iterable[str]) -> bool:
    """Whether the granted action pattern (`s3:*`, `s3:Get*`, `*`) covers one of `wanted`."""
    import fnmatch

    g = granted.lower()
    return any(fnmatch.fnmatchcase(w.lower(), g) for w in wanted)
