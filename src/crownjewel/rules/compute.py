"""Restrict model-export paths: notebooks, endpoints, models and workspaces that reach the internet."""
from __future__ import annotations

from crownjewel.model.assets import Asset, Kind
from crownjewel.model.findings import Severity
from crownjewel.rules._common import EGRESS, EXFIL, PUBLIC
from crownjewel.rules.engine import EvalContext
from crownjewel.rules.registry import Fail, Outcome, Unknown, attr_is, rule


@rule(
    "ai.notebook-public-ip", kind=Kind.NOTEBOOK, severity=Severity.HIGH,
    title="ML notebook has a public IP or direct internet access",
    message="{name} can send data straight to the internet",
    remediation="Disable the public IP / direct internet access and reach the internet, if at all, "
                "through a proxy or NAT with egress monitoring.",
    atlas=("AML.M0005",) + EXFIL, attack=("T1048", "T1567.002"), frameworks=EGRESS,
    requires=("public_ip",), control_step="export-paths",
    peers={"checkov": ("CKV_GCP_89", "CKV2_GCP_28")},
)
def notebook_public_ip(asset: Asset, ctx: EvalContext) -> Outcome:
    """A notebook with access to model artefacts and a direct path to the internet: the
    shortest exfiltration route for weights, and an entry point for attackers."""
    return attr_is("public_ip", False, "public IP / direct internet access is enabled")(asset, ctx)


@rule(
    "ai.notebook-root-access", kind=Kind.NOTEBOOK, severity=Severity.MEDIUM,
    title="ML notebook users have root access",
    message="{name} gives its users root",
    remediation="Set root_access = \"Disabled\".",
    atlas=("AML.M0005",), attack=("T1048",), frameworks=EGRESS, providers=("aws",),
    requires=("root_access",), control_step="export-paths",
    peers={"checkov": ("CKV_AWS_307",)},
)
def notebook_root_access(asset: Asset, ctx: EvalContext) -> Outcome:
    """Root on a notebook lets its user install tools and disable the controls that watch egress."""
    return attr_is("root_access", False, "root access is enabled")(asset, ctx)


@rule(
    "ai.notebook-outside-private-network", kind=Kind.NOTEBOOK, severity=Severity.MEDIUM,
    title="ML notebook outside a private network",
    message="{name} is not launched in a customer-controlled network",
    remediation="Launch the notebook in your VPC subnet (subnet_id) so egress passes your controls and flow logs.",
    atlas=("AML.M0005",) + EXFIL, attack=("T1048",), frameworks=EGRESS, providers=("aws",),
    requires=("in_private_network",), control_step="egress-monitoring",
    peers={"checkov": ("CKV_AWS_306",)},
)
def notebook_outside_private_network(asset: Asset, ctx: EvalContext) -> Outcome:
    """A notebook in the provider's network: its egress is invisible to your flow logs."""
    return attr_is("in_private_network", True, "no customer subnet")(asset, ctx)


@rule(
    "ai.endpoint-public", kind=Kind.ENDPOINT, severity=Severity.HIGH,
    title="Model endpoint served publicly",
    message="{name} serves the model on a public endpoint",
    remediation="Serve through a private endpoint (VPC peering network or Private Service Connect) and "
                "rate-limit per caller to slow model extraction.",
    atlas=("AML.T0040", "AML.T0024.002", "AML.M0005"), attack=("T1530",),
    frameworks={**PUBLIC, "owasp-llm": ("LLM10:2025",)},
    requires=("public_endpoint",), control_step="export-paths",
    peers={"checkov": ("CKV2_GCP_33",)},
)
def endpoint_public(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model served on a public endpoint: the inference API is the path for model extraction
    (AML.T0024.002) and the seed card's own ATLAS mapping (AML.T0040)."""
    return attr_is("public_endpoint", False, "the endpoint is public")(asset, ctx)


@rule(
    "ai.model-network-isolation-off", kind=(Kind.MODEL, Kind.TRAINING_JOB), severity=Severity.MEDIUM,
    title="Model or training container can make outbound calls",
    message="{name} runs without network isolation",
    remediation="Set enable_network_isolation = true so the container cannot send artefacts out.",
    atlas=("AML.M0005",) + EXFIL, attack=("T1048", "T1567.002"), frameworks=EGRESS,
    requires=("network_isolation",), control_step="export-paths",
    peers={"checkov": ("CKV_AWS_370",)},
)
def model_network_isolation_off(asset: Asset, ctx: EvalContext) -> Outcome:
    """A model or training container with network access: code in it can copy the weights out."""
    return attr_is("network_isolation", True, "network isolation is disabled")(asset, ctx)


@rule(
    "ai.workspace-public-network", kind=(Kind.MODEL_REGISTRY, Kind.AI_DOMAIN), severity=Severity.HIGH,
    title="ML workspace reachable from or to the public internet",
    message="{name} is open to public networks",
    remediation="Disable public network access (Azure ML public_network_access_enabled = false; SageMaker "
                "domain app_network_access_type = \"VpcOnly\").",
    atlas=("AML.M0005",) + EXFIL, attack=("T1048",), frameworks={**EGRESS, "nist-800-53": ("SC-7(10)", "AC-3")},
    control_step="export-paths",
    peers={"checkov": ("CKV2_AZURE_49",)},
)
def workspace_public_network(asset: Asset, ctx: EvalContext) -> Outcome:
    """An ML workspace or domain open to public networks: models and data leave without passing
    any egress control."""
    for key in ("public_network_access", "public_internet"):
        if asset.get(key) is True:
            return Fail.because(f"{key.replace('_', ' ')} is enabled")
    if not (asset.knows("public_network_access") or asset.knows("public_internet")):
        return Unknown(asset.why_unknown("public_network_access"))
    return True
