"""The normalized attributes of each asset kind: the contract between collectors and rules.

Every collector (Terraform, live AWS / GCP / Azure, Kubernetes) fills these keys with these
meanings, whatever the provider calls them. A key a collector could not determine is left out
of `attrs` (with the reason in `unknown`); a key it determined to be off/absent is present with
the "off" value. For Terraform, an attribute the user did not set takes the provider's documented
default (e.g. GCS versioning absent -> `versioning: False`).

Value conventions:
- encryption: "none" | "provider-managed" | "customer-managed"
- *_grants: tuples of human-readable evidence strings, one per grant, e.g.
  "google_storage_bucket_iam_member.pub grants roles/storage.objectViewer to allUsers"
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from crownjewel.model.assets import Kind

_COMMON_PROTECTION = {
    "encryption": "none | provider-managed | customer-managed (data at rest)",
    "kms_key": "id of the crypto key asset (Terraform address / ARN / key name) when customer-managed",
    "public_grants": "tuple[str]: grants to anyone on the internet (allUsers, Principal '*' "
                     "without a restricting condition, public-read ACL, anonymous blob access)",
    "authenticated_grants": "tuple[str]: grants to any authenticated identity of the provider "
                            "(allAuthenticatedUsers, AWS AuthenticatedUsers ACL group)",
}

_BY_KIND: dict[Kind, dict[str, str]] = {
    Kind.OBJECT_STORE: {
        **_COMMON_PROTECTION,
        "public_access_prevention": "bool: the provider's guard against public grants is enforced "
                                    "(GCS public_access_prevention=enforced; S3 all four Block Public "
                                    "Access settings; Azure allow_nested_items_to_be_public=false)",
        "uniform_access": "bool: object ACLs disabled, IAM only (GCS uniform bucket-level access; "
                          "S3 object ownership BucketOwnerEnforced)",
        "versioning": "bool: object versioning enabled",
        "access_logging": "bool: server access / usage logs of the store are written somewhere",
        "log_target": "where access logs go (bucket name / id); a store logging to itself is noted",
        "network_default_deny": "bool: network access denied by default (Azure network rules); "
                                "absent where the provider has no such setting",
        "public_network_access": "bool: reachable from public networks (Azure)",
        "retention_locked": "bool: object lock / locked retention policy",
        "replication_destinations": "tuple[str]: where objects are replicated to",
        "secure_transport_required": "bool: a policy denies non-TLS requests",
        "sample_objects": "tuple[str]: a bounded sample of object keys (live scans)",
        "bytes": "int: total bytes (live scans)",
        "container_of": "for Azure containers: the storage account asset id",
        "access_type": "Azure container access type: private | blob | container",
        "shared_key_access": "bool: Azure shared-key (account key) authorization allowed",
        "min_tls_version": "str: minimum TLS version accepted",
        "tf_sources": "tuple[(aspect, SourceRef)]: where split Terraform resources configured an aspect",
        "tf_policies": "tuple[(aspect, policy JSON)]: policies as declared, for fixes that rewrite them",
        "bucket_key_enabled": "bool: S3 Bucket Keys reduce KMS calls (AWS)",
        "mfa_delete": "bool: deleting versions needs MFA (AWS)",
    },
    Kind.CRYPTO_KEY: {
        "managed_by": "customer | provider",
        "rotation_period_days": "float | None: automatic rotation period; None = never rotates",
        "enabled": "bool",
        "public_grants": _COMMON_PROTECTION["public_grants"],
        "authenticated_grants": _COMMON_PROTECTION["authenticated_grants"],
        "policy_defined": "bool: an explicit key policy is attached (AWS)",
        "wildcard_principals": "tuple[str]: policy statements allowing Principal '*' (AWS)",
        "key_ring": "id of the key ring asset",
        "key_type": "str: RSA / EC / symmetric ... as the provider names it",
        "key_spec": "str: AWS customer_master_key_spec (only SYMMETRIC_DEFAULT rotates)",
        "purpose": "str: GCP key purpose (only ENCRYPT_DECRYPT rotates automatically)",
        "protection_level": "str: SOFTWARE / HSM / EXTERNAL (GCP)",
    },
    Kind.KEY_RING: {
        "location": "str",
        "purge_protection": "bool (Key Vault)",
        "public_network_access": "bool (Key Vault)",
        "network_default_deny": "bool (Key Vault)",
        "rbac_authorization": "bool (Key Vault)",
    },
    Kind.CONTAINER_REGISTRY: {
        **_COMMON_PROTECTION,
        "tag_immutable": "bool",
        "format": "str: DOCKER / PYTHON / ... (Artifact Registry)",
    },
    Kind.MODEL_REGISTRY: {
        **_COMMON_PROTECTION,
        "public_network_access": "bool: the registry / workspace is reachable from public networks",
        "high_business_impact": "bool (Azure ML workspace)",
        "storage_account": "asset id of the workspace's storage account (Azure ML)",
    },
    Kind.MODEL: {
        "artifact_uri": "str: where the model's files live (ModelDataUrl, artifactUri)",
        "network_isolation": "bool: the model container cannot make outbound calls",
        "execution_role": "the role the model runs as (asset id or ARN)",
        "in_private_network": "bool: runs in a customer VPC",
        **_COMMON_PROTECTION,
    },
    Kind.AI_DATA_STORE: {**_COMMON_PROTECTION},
    Kind.AI_DOMAIN: {
        **_COMMON_PROTECTION,
        "public_internet": "bool: apps reach the internet directly (not VPC-only)",
        "execution_role": "the default role of the domain's users",
    },
    Kind.ENDPOINT: {
        **_COMMON_PROTECTION,
        "public_endpoint": "bool: served on a public endpoint (no private network / PSC)",
        "in_private_network": "bool: reachable only from a customer network",
        "models": "tuple[str]: models served",
    },
    Kind.NOTEBOOK: {
        **_COMMON_PROTECTION,
        "public_ip": "bool: has a public IP / direct internet access",
        "root_access": "bool: users get root on the instance",
        "in_private_network": "bool: launched in a customer VPC / subnet",
        "execution_role": "the role the notebook runs as",
    },
    Kind.TRAINING_JOB: {
        **_COMMON_PROTECTION,
        "network_isolation": "bool",
    },
    Kind.ROLE_BINDING: {
        "role": "str: role name or, for AWS policies, a comma-separated action list",
        "members": "tuple[str]: members as the provider writes them (user:a@b.com, allUsers, ARNs)",
        "resource": "asset id or native name of what the grant is on",
        "resource_level": "organization | folder | project | account | resource_group | resource",
        "condition": "str | None: the condition expression, when the grant is conditional",
        "statement_index": "int: the policy statement it came from (AWS)",
        "not_actions": "tuple[str]: NotAction of the statement (AWS)",
        "managed_policy": "str: the AWS managed policy it came from",
        "tf_sources": "tuple[(aspect, SourceRef)]: the declaring block (e.g. a data.google_iam_policy binding)",
    },
    Kind.PRINCIPAL: {"principal_type": "role | user | group | service_account ..."},
    Kind.NETWORK: {"flow_logs": "bool: flow logs capture this network's traffic",
                   "auto_create_subnetworks": "bool (GCP)"},
    Kind.SUBNET: {"flow_logs": "bool: flow logs enabled on the subnet", "network": "network asset id",
                  "purpose": "str: GCP subnet purpose (proxy-only and PSC subnets cannot log flows)"},
    Kind.NAMESPACE: {"labels": "mapping of labels"},
    Kind.NETWORK_POLICY: {
        "namespace": "str",
        "pod_selector": "mapping: matchLabels ({} selects every pod)",
        "policy_types": "tuple[str]: Ingress / Egress",
        "egress": "tuple[mapping]: egress rules as written ({} or to=0.0.0.0/0 allows everything)",
        "tf_sources": "tuple[(aspect, SourceRef)]: line ranges of egress rules (fixes remove open ones)",
    },
    Kind.AUDIT_LOG: {
        "service": "str: audited service (allServices, storage.googleapis.com, ...) (GCP)",
        "log_types": "tuple[str]: ADMIN_READ / DATA_READ / DATA_WRITE (GCP)",
        "exempted_members": "tuple[str] (GCP)",
        "logging_enabled": "bool: the trail is logging (AWS)",
        "log_file_validation": "bool (AWS)",
        "data_event_buckets": "tuple[str]: S3 data events cover these bucket ARNs / names; "
                              "'*' means all buckets (AWS)",
        "multi_region": "bool (AWS)",
        "log_bucket": "where the trail writes (bucket name / asset id) (AWS)",
        "target": "what a diagnostic setting logs (Azure)",
        "organization_trail": "bool (AWS)",
        "encryption": "how the trail's logs are encrypted (AWS)",
        "kms_key": "the trail's KMS key (AWS)",
        "resource_level": "project | folder | organization (GCP)",
        "resource": "the folder / organisation audited (GCP)",
    },
    Kind.FLOW_LOG: {
        "target": "asset id of the network / subnet it captures",
        "enabled": "bool",
        "retention_days": "int",
        "traffic_type": "ALL | ACCEPT | REJECT (AWS)",
    },
    Kind.LOG_BUCKET: {
        "retention_days": "int",
        "locked": "bool: retention cannot be reduced or removed",
    },
    Kind.ACCOUNT: {
        "project": "GCP project id / AWS account id / Azure subscription id",
        "guardduty_s3_protection": "tuple[str]: AWS regions where an enabled GuardDuty detector has S3 "
                                   "protection on (live scans; of guardduty_checked_regions)",
        "guardduty_checked_regions": "tuple[str]: AWS regions whose GuardDuty detectors were read",
        "bedrock_invocation_logging": "tuple[str]: AWS regions where Bedrock model invocation logging "
                                      "delivers to S3 or CloudWatch Logs (of bedrock_logging_checked_regions)",
        "bedrock_logging_checked_regions": "tuple[str]: AWS regions whose Bedrock invocation logging "
                                           "configuration was read",
    },
}

# Terraform bookkeeping any kind may carry, for fixes that edit the declaring resources.
_TERRAFORM = {
    "tf_sources": "tuple[(aspect, SourceRef)]: where split Terraform resources configured an aspect",
    "tf_policies": "tuple[(aspect, policy JSON)]: policies as declared, for fixes that rewrite them",
}

SCHEMA: Mapping[Kind, Mapping[str, str]] = MappingProxyType(
    {kind: MappingProxyType({**keys, **_TERRAFORM}) for kind, keys in _BY_KIND.items()})
