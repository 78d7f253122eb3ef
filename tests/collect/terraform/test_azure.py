"""azurerm resources become the shared model: storage, keys, ML workspaces, RBAC, networks."""
from __future__ import annotations

from pathlib import Path

import pytest

from crownjewel.collect.terraform.azure_common import duration_days, parse_arm_id
from crownjewel.collect.terraform.loader import TfInput, load_directory
from crownjewel.collect.terraform.normalize import normalize
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.findings import Status
from crownjewel.model.graph import EstateGraph, GraphBuilder
from crownjewel.pipeline import scan_paths

RG = """
resource "azurerm_resource_group" "ml" {
  name     = "rg-ml"
  location = "westeurope"
}
"""


def account(label: str, name: str, body: str = "") -> str:
    return f"""
resource "azurerm_storage_account" "{label}" {{
  name                     = "{name}"
  resource_group_name      = azurerm_resource_group.ml.name
  location                 = azurerm_resource_group.ml.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
{body}
}}
"""


def load(tmp_path: Path, text: str) -> EstateGraph:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    inp = TfInput()
    load_directory(tmp_path, inp)
    assert not [p for p in inp.problems if p.level == "error"], [str(p) for p in inp.problems]
    builder = GraphBuilder()
    normalize(inp.resources, builder, inp.problems)
    return builder.freeze()


def edges(graph: EstateGraph, kind: EdgeKind) -> set[tuple[str, str]]:
    return {(e.src, e.dst) for e in graph.edges if e.kind is kind}


def test_storage_account_defaults(tmp_path: Path) -> None:
    graph = load(tmp_path, RG + account("models", "acmemodels"))
    store = graph["azurerm_storage_account.models"]
    assert store.kind is Kind.OBJECT_STORE and store.provider == "azure"
    assert store.name == "acmemodels" and store.region == "westeurope"
    assert dict(store.attrs) == {
        "encryption": "provider-managed",  # Azure always encrypts with Microsoft-managed keys
        "public_access_prevention": False,  # allow_nested_items_to_be_public defaults to true
        "public_network_access": True,
        "network_default_deny": False,
        "versioning": False,
        "access_logging": False,
        "secure_transport_required": True,
        "shared_key_access": True,
        "retention_locked": False,
        "min_tls_version": "TLS1_2",
        "public_grants": (),
    }
    assert not store.unknown


def test_hardened_account_with_inline_cmek_and_blob_read_logs(tmp_path: Path) -> None:
    text = RG + """
resource "azurerm_key_vault" "kv" {
  name                = "acme-kv"
  location            = "westeurope"
  resource_group_name = "rg-ml"
  tenant_id           = "t"
  sku_name            = "standard"
}
resource "azurerm_key_vault_key" "weights" {
  name         = "weights"
  key_vault_id = azurerm_key_vault.kv.id
  key_type     = "RSA"
  key_size     = 2048
  key_opts     = ["wrapKey", "unwrapKey"]
}
resource "azurerm_log_analytics_workspace" "audit" {
  name                = "audit"
  location            = "westeurope"
  resource_group_name = "rg-ml"
}
resource "azurerm_monitor_diagnostic_setting" "blob_reads" {
  name                       = "blob-reads"
  target_resource_id         = "${azurerm_storage_account.models.id}/blobServices/default"
  log_analytics_workspace_id = azurerm_log_analytics_workspace.audit.id
  enabled_log {
    category = "StorageRead"
  }
}
""" + account("models", "acmemodels", """
  allow_nested_items_to_be_public = false
  public_network_access_enabled   = false
  https_traffic_only_enabled      = true
  network_rules {
    default_action = "Deny"
  }
  blob_properties {
    versioning_enabled = true
  }
  immutability_policy {
    allow_protected_append_writes = false
    state                         = "Locked"
    period_since_creation_in_days = 30
  }
  identity {
    type         = "UserAssigned"
    identity_ids = ["id"]
  }
  customer_managed_key {
    key_vault_key_id          = azurerm_key_vault_key.weights.id
    user_assigned_identity_id = "id"
  }
""")
    graph = load(tmp_path, text)
    store = graph["azurerm_storage_account.models"]
    assert store.attrs["encryption"] == "customer-managed"
    assert store.attrs["kms_key"] == "azurerm_key_vault_key.weights"
    assert store.attrs["public_access_prevention"] is True
    assert store.attrs["public_network_access"] is False
    assert store.attrs["network_default_deny"] is True
    assert store.attrs["versioning"] is True and store.attrs["retention_locked"] is True
    assert store.attrs["access_logging"] is True
    assert store.attrs["log_target"] == "azurerm_log_analytics_workspace.audit"
    assert ("azurerm_storage_account.models", "azurerm_key_vault_key.weights") in edges(graph, EdgeKind.ENCRYPTED_BY)
    setting = graph["azurerm_monitor_diagnostic_setting.blob_reads"]
    assert setting.kind is Kind.AUDIT_LOG and setting.attrs["log_types"] == ("StorageRead",)
    assert ("azurerm_monitor_diagnostic_setting.blob_reads", "azurerm_storage_account.models") in edges(
        graph, EdgeKind.MONITORS)


def test_older_provider_names_are_honoured(tmp_path: Path) -> None:
    graph = load(tmp_path, RG + account("v2", "acmev2", """
  allow_blob_public_access  = false
  enable_https_traffic_only = false
"""))
    store = graph["azurerm_storage_account.v2"]
    assert store.attrs["public_access_prevention"] is True
    assert store.attrs["secure_transport_required"] is False


def test_split_resources_merge_onto_the_right_account(tmp_path: Path) -> None:
    text = RG + """
resource "azurerm_key_vault" "kv" {
  name                = "acme-kv"
  location            = "westeurope"
  resource_group_name = "rg-ml"
  tenant_id           = "t"
  sku_name            = "standard"
}
resource "azurerm_key_vault_key" "k" {
  name         = "models-key"
  key_vault_id = azurerm_key_vault.kv.id
  key_type     = "RSA"
  key_opts     = ["wrapKey"]
}
resource "azurerm_storage_account_customer_managed_key" "b" {
  storage_account_id = azurerm_storage_account.pool[1].id
  key_vault_id       = azurerm_key_vault.kv.id
  key_name           = azurerm_key_vault_key.k.name
}
resource "azurerm_storage_account_network_rules" "a" {
  storage_account_id = azurerm_storage_account.pool[0].id
  default_action     = "Deny"
}
resource "azurerm_storage_account_network_rules" "named" {
  storage_account_name = azurerm_storage_account.other.name
  resource_group_name  = "rg-ml"
  default_action       = "Allow"
}
""" + account("pool", "acmepool${count.index}", "  count = 2") + account("other", "acmeother", """
  network_rules {
    default_action = "Deny"
  }
""")
    graph = load(tmp_path, text)
    first, second = graph["azurerm_storage_account.pool[0]"], graph["azurerm_storage_account.pool[1]"]
    assert first.name == "acmepool0" and second.name == "acmepool1"
    assert first.attrs["network_default_deny"] is True and first.attrs["encryption"] == "provider-managed"
    assert second.attrs["network_default_deny"] is False and second.attrs["encryption"] == "customer-managed"
    assert second.attrs["kms_key"] == "azurerm_key_vault_key.k"
    # where the split resources are written, for fixes that edit them
    line_of = {line.split('"')[3]: n for n, line in enumerate(text.splitlines(), 1)
               if line.startswith('resource "azurerm_storage_account_')}
    assert dict(second.attrs["tf_sources"])["encryption"].line == line_of["b"]
    assert dict(first.attrs["tf_sources"])["network"].line == line_of["a"]
    assert dict(graph["azurerm_storage_account.other"].attrs["tf_sources"])["network"].line == line_of["named"]
    # the split resource wins over the inline block (it is what Terraform last applies)
    assert graph["azurerm_storage_account.other"].attrs["network_default_deny"] is False
    assert edges(graph, EdgeKind.ENCRYPTED_BY) == {("azurerm_storage_account.pool[1]", "azurerm_key_vault_key.k")}
    # merged, so no separate assets for the split resources
    assert "azurerm_storage_account_network_rules.a" not in graph


def test_split_resource_without_its_account_stands_in_for_it(tmp_path: Path) -> None:
    graph = load(tmp_path, """
resource "azurerm_storage_account_network_rules" "elsewhere" {
  storage_account_id = var.account_id
  default_action     = "Allow"
}
variable "account_id" {}
""")
    stand_in = graph["azurerm_storage_account_network_rules.elsewhere"]
    assert stand_in.kind is Kind.OBJECT_STORE and stand_in.attrs == {"network_default_deny": False}
    assert "not declared in the scanned Terraform" in stand_in.why_unknown("encryption")
    assert [g.asset_id for g in graph.gaps] == ["azurerm_storage_account_network_rules.elsewhere"]


def test_unresolved_references_are_unknown_not_guessed(tmp_path: Path) -> None:
    graph = load(tmp_path, RG + """
variable "public" {}
variable "network" {}
""" + account("models", "acmemodels", """
  allow_nested_items_to_be_public = var.public
  public_network_access_enabled   = var.network
"""))
    store = graph["azurerm_storage_account.models"]
    assert "public_access_prevention" not in store.attrs and "public_network_access" not in store.attrs
    assert "var.public" in store.why_unknown("public_access_prevention")
    assert "var.network" in store.why_unknown("public_network_access")
    assert "main.tf" in store.why_unknown("public_network_access")


def test_containers_inherit_account_settings_and_carry_public_grants(tmp_path: Path) -> None:
    text = RG + account("open", "acmeopen", """
  blob_properties {
    versioning_enabled = true
  }
""") + account("closed", "acmeclosed", "  allow_nested_items_to_be_public = false") + """
resource "azurerm_storage_container" "weights" {
  for_each              = toset(["llm-weights", "vision-weights"])
  name                  = each.key
  storage_account_id    = azurerm_storage_account.open.id
  container_access_type = "blob"
}
resource "azurerm_storage_container" "by_name" {
  name                  = "checkpoints"
  storage_account_name  = azurerm_storage_account.closed.name
  container_access_type = "container"
}
"""
    graph = load(tmp_path, text)
    llm = graph['azurerm_storage_container.weights["llm-weights"]']
    assert llm.name == "llm-weights" and llm.kind is Kind.OBJECT_STORE
    assert llm.attrs["container_of"] == "azurerm_storage_account.open"
    assert llm.attrs["versioning"] is True and llm.attrs["encryption"] == "provider-managed"
    assert llm.attrs["public_grants"] == (
        ('azurerm_storage_container.weights["llm-weights"] lets anonymous users read blobs '
         '(container_access_type = "blob")'),)
    account_grants = graph["azurerm_storage_account.open"].attrs["public_grants"]
    assert len(account_grants) == 2
    # anonymous access is refused by the account, whatever the container says
    assert graph["azurerm_storage_container.by_name"].attrs["public_grants"] == ()
    assert graph["azurerm_storage_container.by_name"].attrs["container_of"] == "azurerm_storage_account.closed"
    assert graph["azurerm_storage_account.closed"].attrs["public_grants"] == ()
    assert ('azurerm_storage_container.weights["vision-weights"]', "azurerm_storage_account.open") in edges(
        graph, EdgeKind.PART_OF)


def test_key_vault_key_rotation(tmp_path: Path) -> None:
    def key(label: str, policy: str) -> str:
        return f"""
resource "azurerm_key_vault_key" "{label}" {{
  name         = "{label}"
  key_vault_id = azurerm_key_vault.kv.id
  key_type     = "RSA"
  key_opts     = ["wrapKey"]
{policy}
}}
"""
    text = """
resource "azurerm_key_vault" "kv" {
  name                = "acme-kv"
  location            = "westeurope"
  resource_group_name = "rg"
  tenant_id           = "t"
  sku_name            = "standard"
}
""" + key("never", "") + key("after", """
  rotation_policy {
    automatic {
      time_after_creation = "P90D"
    }
  }
""") + key("before", """
  rotation_policy {
    automatic {
      time_before_expiry = "P30D"
    }
    expire_after = "P1Y"
  }
""") + key("no_expiry", """
  rotation_policy {
    automatic {
      time_before_expiry = "P30D"
    }
  }
""") + key("notify_only", """
  rotation_policy {
    expire_after         = "P90D"
    notify_before_expiry = "P29D"
  }
""")
    graph = load(tmp_path, text)
    assert graph["azurerm_key_vault.kv"].kind is Kind.KEY_RING
    never = graph["azurerm_key_vault_key.never"]
    assert never.kind is Kind.CRYPTO_KEY and never.attrs["managed_by"] == "customer"
    assert never.attrs["rotation_period_days"] is None
    assert never.attrs["key_ring"] == "azurerm_key_vault.kv"
    assert graph["azurerm_key_vault_key.after"].attrs["rotation_period_days"] == 90
    assert graph["azurerm_key_vault_key.before"].attrs["rotation_period_days"] == 335
    assert "expire_after" in graph["azurerm_key_vault_key.no_expiry"].why_unknown("rotation_period_days")
    assert graph["azurerm_key_vault_key.notify_only"].attrs["rotation_period_days"] is None
    assert ("azurerm_key_vault_key.after", "azurerm_key_vault.kv") in edges(graph, EdgeKind.PART_OF)


@pytest.mark.parametrize(("text", "days"), [
    ("P90D", 90), ("P3M", 90), ("P1Y", 365), ("P2W", 14), ("PT36H", 1.5), ("P1Y2M3D", 428),
    ("90 days", None), ("P", None), ("", None),
])
def test_iso_durations(text: str, days: float | None) -> None:
    assert duration_days(text) == days


def test_ml_workspace(tmp_path: Path) -> None:
    text = RG + account("ws", "acmews") + """
resource "azurerm_key_vault" "kv" {
  name                = "acme-kv"
  location            = "westeurope"
  resource_group_name = "rg-ml"
  tenant_id           = "t"
  sku_name            = "standard"
}
resource "azurerm_key_vault_key" "k" {
  name         = "ws-key"
  key_vault_id = azurerm_key_vault.kv.id
  key_type     = "RSA"
  key_opts     = ["wrapKey"]
}
resource "azurerm_machine_learning_workspace" "default" {
  name                    = "llm-default"
  location                = "westeurope"
  resource_group_name     = "rg-ml"
  application_insights_id = "ai"
  key_vault_id            = azurerm_key_vault.kv.id
  storage_account_id      = azurerm_storage_account.ws.id
  identity {
    type = "SystemAssigned"
  }
}
resource "azurerm_machine_learning_workspace" "private" {
  name                          = "llm-private"
  location                      = "westeurope"
  resource_group_name           = "rg-ml"
  application_insights_id       = "ai"
  key_vault_id                  = azurerm_key_vault.kv.id
  storage_account_id            = "/subscriptions/0/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/acmews"
  public_network_access_enabled = false
  high_business_impact          = true
  identity {
    type = "SystemAssigned"
  }
  encryption {
    key_vault_id = azurerm_key_vault.kv.id
    key_id       = azurerm_key_vault_key.k.id
  }
}
resource "azurerm_machine_learning_workspace" "legacy" {
  name                                         = "llm-legacy"
  location                                     = "westeurope"
  resource_group_name                          = "rg-ml"
  application_insights_id                      = "ai"
  key_vault_id                                 = "kv"
  storage_account_id                           = "sa"
  public_access_behind_virtual_network_enabled = false
  identity {
    type = "SystemAssigned"
  }
}
"""
    graph = load(tmp_path, text)
    default = graph["azurerm_machine_learning_workspace.default"]
    assert default.kind is Kind.MODEL_REGISTRY and default.name == "llm-default"
    assert default.attrs["public_network_access"] is True  # the provider's default
    assert default.attrs["encryption"] == "provider-managed"
    assert default.attrs["storage_account"] == "azurerm_storage_account.ws"
    private = graph["azurerm_machine_learning_workspace.private"]
    assert private.attrs["public_network_access"] is False and private.attrs["high_business_impact"] is True
    assert private.attrs["encryption"] == "customer-managed" and private.attrs["kms_key"] == "azurerm_key_vault_key.k"
    assert graph["azurerm_machine_learning_workspace.legacy"].attrs["public_network_access"] is False
    artefacts = edges(graph, EdgeKind.STORES_ARTEFACTS_IN)
    assert ("azurerm_machine_learning_workspace.default", "azurerm_storage_account.ws") in artefacts
    assert ("azurerm_machine_learning_workspace.private", "azurerm_storage_account.ws") in artefacts  # by ARM id
    assert ("azurerm_machine_learning_workspace.private", "azurerm_key_vault_key.k") in edges(
        graph, EdgeKind.ENCRYPTED_BY)


def test_role_assignments_resolve_their_scope(tmp_path: Path) -> None:
    text = RG + account("models", "acmemodels") + account("logs", "acmelogs") + """
data "azurerm_subscription" "current" {}
resource "azurerm_storage_container" "weights" {
  name                 = "weights"
  storage_account_name = azurerm_storage_account.models.name
}
resource "azurerm_role_assignment" "on_account" {
  scope                = azurerm_storage_account.models.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = "11111111-1111-1111-1111-111111111111"
  principal_type       = "Group"
}
resource "azurerm_role_assignment" "on_container" {
  scope                = "${azurerm_storage_account.models.id}/blobServices/default/containers/weights"
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = "p"
}
resource "azurerm_role_assignment" "on_group" {
  scope              = azurerm_resource_group.ml.id
  role_definition_id = "/subscriptions/0/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
  principal_id       = "p"
}
resource "azurerm_role_assignment" "on_subscription" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Owner"
  principal_id         = "p"
}
resource "azurerm_role_assignment" "by_arm_id" {
  scope                = "/subscriptions/0/resourceGroups/rg-ml/providers/Microsoft.Storage/storageAccounts/acmelogs"
  role_definition_name = "Reader"
  principal_id         = "p"
}
resource "azurerm_role_assignment" "unknown" {
  scope                = var.scope
  role_definition_name = "Reader"
  principal_id         = "p"
}
variable "scope" {}
"""
    graph = load(tmp_path, text)
    grants = edges(graph, EdgeKind.GRANTS)
    on_account = graph["azurerm_role_assignment.on_account"]
    assert on_account.kind is Kind.ROLE_BINDING
    assert dict(on_account.attrs) == {
        "role": "Storage Blob Data Contributor", "members": ("Group:11111111-1111-1111-1111-111111111111",),
        "resource": "azurerm_storage_account.models", "resource_level": "resource", "condition": None}
    assert ("azurerm_role_assignment.on_account", "azurerm_storage_account.models") in grants
    assert graph["azurerm_role_assignment.on_container"].attrs["resource"] == "azurerm_storage_container.weights"
    on_group = graph["azurerm_role_assignment.on_group"]
    assert on_group.attrs["role"] == "Contributor" and on_group.attrs["resource_level"] == "resource_group"
    assert {d for s, d in grants if s == "azurerm_role_assignment.on_group"} == {
        "azurerm_storage_account.models", "azurerm_storage_account.logs", "azurerm_storage_container.weights"}
    assert graph["azurerm_role_assignment.on_subscription"].attrs["resource_level"] == "account"
    assert ("azurerm_role_assignment.on_subscription", "azurerm_storage_container.weights") in grants
    assert graph["azurerm_role_assignment.by_arm_id"].attrs["resource"] == "azurerm_storage_account.logs"
    assert "var.scope" in graph["azurerm_role_assignment.unknown"].why_unknown("resource")


def test_arm_ids() -> None:
    arm = parse_arm_id("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
                       "/blobServices/default/containers/c")
    assert arm is not None and arm.tf_type == "azurerm_storage_account" and arm.name == "acct"
    assert arm.sub_path[-1] == "c" and arm.resource_group == "rg" and arm.subscription == "s"
    group = parse_arm_id("/subscriptions/s/resourceGroups/rg")
    assert group is not None and group.resource_group == "rg" and group.name is None
    mg = parse_arm_id("/providers/Microsoft.Management/managementGroups/root")
    assert mg is not None and mg.management_group
    assert parse_arm_id("not-an-id") is None


def test_networks_subnets_and_flow_logs(tmp_path: Path) -> None:
    text = RG + """
resource "azurerm_virtual_network" "ml" {
  name                = "vnet-ml-training"
  location            = "westeurope"
  resource_group_name = "rg-ml"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_virtual_network" "other" {
  name                = "vnet-web"
  location            = "westeurope"
  resource_group_name = "rg-ml"
  address_space       = ["10.1.0.0/16"]
}
resource "azurerm_subnet" "training" {
  name                 = "training"
  resource_group_name  = "rg-ml"
  virtual_network_name = azurerm_virtual_network.ml.name
  address_prefixes     = ["10.0.1.0/24"]
}
resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = "rg-ml"
  virtual_network_name = azurerm_virtual_network.other.name
  address_prefixes     = ["10.1.1.0/24"]
}
resource "azurerm_network_security_group" "training" {
  name                = "nsg-training"
  location            = "westeurope"
  resource_group_name = "rg-ml"
}
resource "azurerm_subnet_network_security_group_association" "training" {
  subnet_id                 = azurerm_subnet.training.id
  network_security_group_id = azurerm_network_security_group.training.id
}
resource "azurerm_network_watcher_flow_log" "training" {
  name                      = "fl-training"
  network_watcher_name      = "nw"
  resource_group_name       = "rg-ml"
  network_security_group_id = azurerm_network_security_group.training.id
  storage_account_id        = "sa"
  enabled                   = true
  retention_policy {
    enabled = true
    days    = 90
  }
}
resource "azurerm_network_watcher_flow_log" "vnet_disabled" {
  name                 = "fl-web"
  network_watcher_name = "nw"
  resource_group_name  = "rg-ml"
  target_resource_id   = azurerm_virtual_network.other.id
  storage_account_id   = "sa"
  enabled              = false
}
"""
    graph = load(tmp_path, text)
    assert graph["azurerm_virtual_network.ml"].kind is Kind.NETWORK
    training = graph["azurerm_subnet.training"]
    assert training.kind is Kind.SUBNET and training.attrs["network"] == "azurerm_virtual_network.ml"
    assert training.attrs["flow_logs"] is True  # through the NSG flow log
    assert graph["azurerm_subnet.web"].attrs["flow_logs"] is False
    assert graph["azurerm_virtual_network.other"].attrs["flow_logs"] is False  # the flow log is disabled
    flow = graph["azurerm_network_watcher_flow_log.training"]
    assert flow.kind is Kind.FLOW_LOG and flow.attrs["retention_days"] == 90
    monitors = edges(graph, EdgeKind.MONITORS)
    assert ("azurerm_network_watcher_flow_log.training", "azurerm_subnet.training") in monitors
    assert ("azurerm_subnet.training", "azurerm_virtual_network.ml") in edges(graph, EdgeKind.IN_NETWORK)


def test_rules_see_azure_model_stores(tmp_path: Path) -> None:
    """End to end: a workspace's storage account is a crown jewel and fails the Azure storage rules."""
    text = RG + account("ws", "acmews") + """
resource "azurerm_machine_learning_workspace" "llm" {
  name                    = "llm"
  location                = "westeurope"
  resource_group_name     = "rg-ml"
  application_insights_id = "ai"
  key_vault_id            = "kv"
  storage_account_id      = azurerm_storage_account.ws.id
  identity {
    type = "SystemAssigned"
  }
}
"""
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result = scan_paths([str(tmp_path)])
    status = {(f.rule_id, f.asset.id): f.status for f in result.findings}
    store = "azurerm_storage_account.ws"
    assert "azurerm_machine_learning_workspace.llm keeps its model artefacts here" in result.classes[store].evidence
    for rule_id in ("storage.model-store-not-cmek", "storage.model-store-public-access-not-prevented",
                    "storage.model-store-public-network", "storage.model-store-network-open",
                    "storage.model-store-versioning-off"):
        assert status[(rule_id, store)] is Status.FAIL, rule_id
    assert status[("storage.model-store-public", store)] is Status.PASS
    assert status[("ai.workspace-public-network", "azurerm_machine_learning_workspace.llm")] is Status.FAIL


def test_plan_json_gives_the_same_assets(tmp_path: Path) -> None:
    """`terraform show -json` lists blocks as lists and unknown values as null (references restored)."""
    import json

    plan = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [
            {"address": "azurerm_storage_account.models", "mode": "managed", "type": "azurerm_storage_account",
             "name": "models", "values": {
                 "name": "acmemodels", "location": "westeurope", "allow_nested_items_to_be_public": True,
                 "public_network_access_enabled": False, "https_traffic_only_enabled": True,
                 "network_rules": [{"default_action": "Deny", "ip_rules": []}],
                 "blob_properties": [{"versioning_enabled": True, "delete_retention_policy": []}],
                 "customer_managed_key": [], "immutability_policy": [], "tags": {"purpose": "model-weights"}}},
            {"address": "azurerm_storage_container.weights", "mode": "managed", "type": "azurerm_storage_container",
             "name": "weights", "values": {"name": "weights", "storage_account_name": "acmemodels",
                                           "container_access_type": "blob"}},
            {"address": "azurerm_role_assignment.ds", "mode": "managed", "type": "azurerm_role_assignment",
             "name": "ds", "values": {"scope": None, "role_definition_name": "AzureML Data Scientist",
                                      "principal_id": "p", "condition": None}},
        ]}},
        "configuration": {"root_module": {"resources": [
            {"address": "azurerm_role_assignment.ds", "expressions": {
                "scope": {"references": ["azurerm_storage_account.models.id", "azurerm_storage_account.models"]}}},
        ]}},
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    result = scan_paths([str(path)])
    store = result.graph["azurerm_storage_account.models"]
    assert store.attrs["encryption"] == "provider-managed" and store.attrs["versioning"] is True
    assert store.attrs["network_default_deny"] is True and store.attrs["public_network_access"] is False
    assert store.attrs["public_access_prevention"] is False and len(store.attrs["public_grants"]) == 1
    container = result.graph["azurerm_storage_container.weights"]
    assert container.attrs["container_of"] == "azurerm_storage_account.models"
    assert result.graph["azurerm_role_assignment.ds"].attrs["resource"] == "azurerm_storage_account.models"
