"""What the AWS normalizers share: the scan scope, ARNs, asset creation and key resolution.

Normalizers are pure: they read fetched replies and write to a GraphBuilder. Encryption keys are
resolved against the KMS keys fetched in the same scan (`KeyIndex`): an AWS-managed key
(`alias/aws/...` or KeyManager AWS) means "provider-managed"; a customer key, or a key the scan
could not see (another account, an unscanned region), means "customer-managed", as a literal key
ARN does in Terraform.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crownjewel.collect.aws.session import Reply
from crownjewel.model.assets import Asset, EdgeKind, Kind, frozen_map
from crownjewel.model.graph import GraphBuilder

PROVIDER = "aws"
CUSTOMER = "customer-managed"
PROVIDER_MANAGED = "provider-managed"


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a fetch or normalize step works."""

    account: str
    region: str
    partition: str = "aws"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        """An ARN in this scope."""
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")

    @property
    def account_id(self) -> str:
        """The id of the ACCOUNT asset."""
        return account_asset_id(self.account)


def account_asset_id(account: str) -> str:
    """`aws-account:<id>`."""
    return f"aws-account:{account}"


def bucket_arn(name: str, partition: str = "aws") -> str:
    """The ARN (and asset id) of an S3 bucket."""
    return f"arn:{partition}:s3:::{name}"


def bucket_of_uri(uri: Any) -> str | None:
    """The bucket of an `s3://bucket/key` URI (or https S3 URL), or None."""
    if not isinstance(uri, str):
        return None
    if uri.startswith("s3://"):
        return uri[5:].split("/", 1)[0] or None
    if uri.startswith("https://") and ".s3" in uri:
        host = uri[8:].split("/", 1)[0]
        if host.startswith("s3.") or host.startswith("s3-"):
            return uri[8:].split("/", 2)[1] if uri.count("/") >= 3 else None
        return host.split(".s3", 1)[0] or None
    return None


def tags_of(items: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """A tag list (`[{"Key": .., "Value": ..}]`) as a mapping."""
    out: dict[str, str] = {}
    for item in items or ():
        if isinstance(item, Mapping) and item.get(key) is not None:
            out[str(item[key])] = str(item.get(value) or "")
    return out


def add_asset(builder: GraphBuilder, scope: Scope, asset_id: str, kind: Kind, name: str, native_type: str,
              attrs: Mapping[str, Any], unknown: Mapping[str, str], tags: Mapping[str, str] | None = None,
              account: str | None = None) -> bool:
    """Add an asset (once: a second one with the same id is ignored) linked IN_ACCOUNT."""
    if builder.has(asset_id):
        return False
    owner = account or scope.account
    builder.add(Asset(id=asset_id, kind=kind, provider=PROVIDER, name=name, native_type=native_type,
                      account=owner, region=scope.region or None, attrs=frozen_map(attrs),
                      unknown=frozen_map({k: v for k, v in unknown.items() if k not in attrs}),
                      tags=frozen_map(tags or {})))
    builder.link(asset_id, EdgeKind.IN_ACCOUNT, account_asset_id(owner))
    return True


def unknown_all(unknown: dict[str, str], keys: tuple[str, ...], reply: Reply) -> None:
    """Mark `keys` unknown because `reply` failed."""
    for key in keys:
        unknown.setdefault(key, reply.error or f"{reply.op} failed")


@dataclass(slots=True)
class KeyIndex:
    """KMS keys seen by the scan: key ARN -> KeyManager, alias ARN -> key ARN."""

    managers: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)  # key ARN or region -> why KMS could not tell

    def resolve(self, ref: Any, scope: Scope) -> tuple[str | None, str | None]:
        """(encryption, key ARN or None) for a KMS key id, key ARN, alias name or alias ARN.

        No key (SSE-KMS default) or an `alias/aws/*` key is the AWS-managed key: provider-managed.
        A key of this account that the scan did not see described is neither: encryption None
        (unknown), since AWS-managed keys live only in their own account and only KeyManager
        tells them apart. Keys of other accounts and non-`aws/` aliases are customer-managed.
        """
        if not isinstance(ref, str) or not ref:
            return PROVIDER_MANAGED, None
        if ref.startswith("alias/aws/") or ":alias/aws/" in ref:
            return PROVIDER_MANAGED, None
        if ref.startswith("arn:") and ":alias/" in ref:
            arn = self.aliases.get(ref, ref)
        elif ref.startswith("alias/"):
            alias_arn = scope.arn("kms", ref)
            arn = self.aliases.get(alias_arn, alias_arn)
        elif ref.startswith("arn:"):
            arn = ref
        else:
            arn = scope.arn("kms", f"key/{ref}")
        manager = self.managers.get(arn)
        if manager == "AWS":
            return PROVIDER_MANAGED, None
        if manager is None and ":alias/" not in arn and f":{scope.account}:" in arn:
            return None, arn
        return CUSTOMER, arn

    def why_unread(self, arn: str) -> str:
        """Why the manager of a key of this account is not known."""
        region = arn.split(":")[3] if arn.count(":") >= 5 else ""
        return self.unread.get(arn) or self.unread.get(region) or (
            f"KMS key {arn} was not seen by the scan (its region was not scanned), so whether it is "
            "AWS-managed or customer-managed is unknown")


def apply_key(ref: Any, scope: Scope, keys: KeyIndex, asset_id: str, attrs: dict[str, Any],
              builder: GraphBuilder, unknown: dict[str, str]) -> None:
    """Set `encryption` / `kms_key` from a key reference and link ENCRYPTED_BY to a customer key;
    a key of this account the scan could not describe makes `encryption` unknown, with the reason."""
    encryption, arn = keys.resolve(ref, scope)
    if encryption is None:
        assert arn is not None
        attrs.pop("encryption", None)
        unknown["encryption"] = keys.why_unread(arn)
        attrs["kms_key"] = arn
        builder.link(asset_id, EdgeKind.ENCRYPTED_BY, arn)
        return
    attrs["encryption"] = encryption
    if arn is not None:
        attrs["kms_key"] = arn
        builder.link(asset_id, EdgeKind.ENCRYPTED_BY, arn)
