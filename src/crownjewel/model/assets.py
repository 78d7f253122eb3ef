"""Provider-neutral assets, edges and gaps: the nouns every collector produces.

A GCS bucket read from the API, from a Cloud Asset Inventory export or from Terraform becomes the
same `Asset` of kind `OBJECT_STORE` with the same normalized `attrs`, so a rule is written once.
The normalized attribute keys of each kind are documented in `crownjewel.model.schema`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})


class Kind(StrEnum):
    """What an asset is, independent of the provider."""

    OBJECT_STORE = "object_store"  # GCS bucket, S3 bucket, Azure storage account / container
    CRYPTO_KEY = "crypto_key"  # Cloud KMS key, AWS KMS key, Key Vault key
    KEY_RING = "key_ring"
    MODEL_REGISTRY = "model_registry"  # SageMaker model package group, Azure ML workspace
    MODEL = "model"  # SageMaker model, Vertex AI model
    ENDPOINT = "endpoint"  # model-serving endpoint (or its configuration)
    NOTEBOOK = "notebook"  # SageMaker notebook, Vertex Workbench / user-managed notebook
    TRAINING_JOB = "training_job"
    AI_DATA_STORE = "ai_data_store"  # Vertex dataset, featurestore, metadata store, tensorboard
    AI_DOMAIN = "ai_domain"  # SageMaker domain
    CONTAINER_REGISTRY = "container_registry"  # ECR repository, Artifact Registry repository
    PRINCIPAL = "principal"
    ROLE_BINDING = "role_binding"  # one grant: (resource, role or actions) -> members
    NETWORK = "network"  # VPC / VNet
    SUBNET = "subnet"
    NAMESPACE = "namespace"  # Kubernetes namespace
    NETWORK_POLICY = "network_policy"
    AUDIT_LOG = "audit_log"  # CloudTrail trail, GCP audit config, diagnostic setting
    FLOW_LOG = "flow_log"
    LOG_BUCKET = "log_bucket"  # where audit logs land (retention / lock)
    ACCOUNT = "account"  # AWS account, GCP project, Azure subscription


class EdgeKind(StrEnum):
    """Typed relations between assets. Direction reads `src EDGE dst`."""

    ENCRYPTED_BY = "encrypted_by"  # store/key-holder -> crypto key
    GRANTS = "grants"  # role binding -> resource it grants on
    GRANTED_TO = "granted_to"  # role binding -> principal
    STORES_ARTEFACTS_IN = "stores_artefacts_in"  # model / job -> object store holding its files
    READS_DATA_FROM = "reads_data_from"  # training job / dataset -> object store
    LOGS_TO = "logs_to"  # store / trail -> log destination
    MONITORS = "monitors"  # flow log / audit config / trail -> what it watches
    IN_NETWORK = "in_network"  # notebook / endpoint / subnet -> network or subnet
    IN_NAMESPACE = "in_namespace"  # workload / policy -> namespace
    PART_OF = "part_of"  # key -> key ring, container -> storage account
    IN_ACCOUNT = "in_account"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an asset was declared (Terraform file and lines), for SARIF and suppressions."""

    file: str
    line: int
    end_line: int | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """Something a collector could not see; rules needing it report UNKNOWN with `reason`."""

    what: str
    reason: str
    asset_id: str | None = None
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class Asset:
    """One normalized asset.

    `attrs` holds what is known; an attribute that could not be determined is absent from
    `attrs` and, when the collector knows why, present in `unknown` with the reason.
    """

    id: str
    kind: Kind
    provider: str  # "aws" | "gcp" | "azure" | "kubernetes"
    name: str
    native_type: str  # e.g. "google_storage_bucket", "AWS::S3::Bucket"
    account: str | None = None
    region: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    unknown: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    tags: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    source: SourceRef | None = None

    def get(self, key: str, default: Any = None) -> Any:
        """The normalized attribute `key`, or `default` when unknown."""
        return self.attrs.get(key, default)

    def knows(self, key: str) -> bool:
        """Whether attribute `key` was determined."""
        return key in self.attrs

    def why_unknown(self, key: str) -> str:
        """The reason attribute `key` is unknown (a generic one when the collector gave none)."""
        return self.unknown.get(key) or f"{key} was not collected for {self.id}"


@dataclass(frozen=True, slots=True)
class Edge:
    """A typed, directed relation between two asset ids."""

    src: str
    kind: EdgeKind
    dst: str
    attrs: Mapping[str, Any] = field(default_factory=lambda: EMPTY, compare=False, hash=False)


def frozen_map(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only view of a copy of `data`."""
    return MappingProxyType(dict(data or {}))
