"""Azure and Kubernetes fixes: built from the real blocks, valid, and making the rule pass."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from crownjewel.fixapply import apply_fixes
from crownjewel.model.findings import Finding, Status
from crownjewel.pipeline import ScanOptions, scan_paths
from crownjewel.rules.fixes._text import local_ref

RG = """resource "azurerm_resource_group" "ml" {
  name     = "rg-ml"
  location = "westeurope"
}
"""
TAGS = """
  tags = {
    data_classification = "model-weights"
  }
"""


def account(body: str = "") -> str:
    return f"""
resource "azurerm_storage_account" "weights" {{
  name                     = "acmeweights"
  resource_group_name      = azurerm_resource_group.ml.name
  location                 = azurerm_resource_group.ml.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
{body}{TAGS}}}
"""


def scan(path: Path, rule_id: str, all_assets: bool = False) -> list[Finding]:
    result = scan_paths([str(path)], options=ScanOptions(only_rules=(rule_id,), all_assets=all_assets))
    assert not result.input_errors, [str(p) for p in result.problems]
    return [f for f in result.findings if f.rule_id == rule_id]


def fix_until_clean(tmp_path: Path, text: str, rule_id: str, all_assets: bool = False) -> str:
    """Write `text`, apply the rule's fixes until nothing fails (at most 3 rounds), return the file."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    main = tmp_path / "main.tf"
    main.write_text(text, encoding="utf-8")
    assert [f for f in scan(tmp_path, rule_id, all_assets) if f.status is Status.FAIL], "nothing to fix"
    for _ in range(3):
        failed = [f for f in scan(tmp_path, rule_id, all_assets) if f.status is Status.FAIL]
        if not failed:
            break
        assert all(f.fix and f.fix.edits for f in failed), [f.asset.id for f in failed if not f.fix]
        apply_fixes(f.fix for f in failed if f.fix)
    after = scan(tmp_path, rule_id, all_assets)
    assert after and all(f.status is Status.PASS for f in after), [(f.asset.id, f.evidence) for f in after]
    fixed = main.read_text(encoding="utf-8")
    _fmt_check(main)
    return fixed


def _fmt_check(path: Path) -> None:
    """`terraform fmt` parses the fixed file (syntax only; providers are not needed)."""
    terraform = shutil.which("terraform")
    if terraform is None:
        return
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1"}
    proc = subprocess.run([terraform, "fmt", "-no-color", "-write=false", str(path)],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr


def test_cmek_reuses_the_module_key_vault_and_turns_on_purge_protection(tmp_path: Path) -> None:
    text = RG + """
resource "azurerm_key_vault" "ml" {
  name                = "acme-ml-kv"
  location            = "westeurope"
  resource_group_name = "rg-ml"
  tenant_id           = "00000000-0000-0000-0000-000000000000"
  sku_name            = "standard"
}
""" + account() + """
resource "azurerm_storage_container" "llm" {
  name                 = "llm-weights"
  storage_account_name = azurerm_storage_account.weights.name
}
"""
    fixed = fix_until_clean(tmp_path, text, "storage.model-store-not-cmek")
    assert fixed.count('resource "azurerm_storage_account_customer_managed_key" "weights"') == 1
    assert "key_vault_id       = azurerm_key_vault.ml.id" in fixed
    assert 'resource "azurerm_key_vault" "weights_cmek"' not in fixed  # reused, not a second vault
    assert "purge_protection_enabled = true" in fixed
    assert 'type = "SystemAssigned"' in fixed
    # the new key rotates every 90 days
    rotation = scan(tmp_path, "kms.key-rotation-over-90-days")
    assert {f.asset.id: f.status for f in rotation} == {"azurerm_key_vault_key.weights_cmek": Status.PASS}


def test_cmek_in_an_rbac_vault_uses_a_role_assignment(tmp_path: Path) -> None:
    text = RG + """
resource "azurerm_key_vault" "ml" {
  name                      = "acme-ml-kv"
  location                  = "westeurope"
  resource_group_name       = "rg-ml"
  tenant_id                 = "00000000-0000-0000-0000-000000000000"
  sku_name                  = "standard"
  purge_protection_enabled  = true
  enable_rbac_authorization = true
}
""" + account("""
  identity {
    type         = "UserAssigned"
    identity_ids = ["/subscriptions/0/resourceGroups/rg-ml/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"]
  }
""")
    fixed = fix_until_clean(tmp_path, text, "storage.model-store-not-cmek")
    assert 'type         = "SystemAssigned, UserAssigned"' in fixed
    assert 'role_definition_name = "Key Vault Crypto Service Encryption User"' in fixed
    assert "azurerm_key_vault_access_policy" not in fixed
    broad = scan(tmp_path, "iam.broad-role-on-model-store")
    assert broad and all(f.status is Status.PASS for f in broad)


def test_cmek_without_a_vault_creates_one(tmp_path: Path) -> None:
    fixed = fix_until_clean(tmp_path, 'data "azurerm_client_config" "me" {}\n' + RG + account(),
                            "storage.model-store-not-cmek")
    assert 'resource "azurerm_key_vault" "weights_cmek"' in fixed
    assert "data.azurerm_client_config.me.tenant_id" in fixed  # the existing data source is reused
    assert fixed.count('data "azurerm_client_config"') == 1


def test_network_open_edits_the_split_network_rules(tmp_path: Path) -> None:
    text = RG + account() + """
resource "azurerm_storage_account_network_rules" "weights" {
  storage_account_id = azurerm_storage_account.weights.id
  default_action     = "Allow" # opened for the migration
}
"""
    fixed = fix_until_clean(tmp_path, text, "storage.model-store-network-open")
    assert 'default_action     = "Deny" # opened for the migration' in fixed
    assert "network_rules {" not in fixed  # the account block is left alone


def test_network_open_on_a_split_resource_of_an_undeclared_account(tmp_path: Path) -> None:
    text = """
resource "azurerm_storage_account_network_rules" "models" {
  storage_account_id = var.models_account_id
  default_action     = "Allow"
}
variable "models_account_id" {}
"""
    fixed = fix_until_clean(tmp_path, text, "storage.model-store-network-open", all_assets=True)
    assert 'default_action     = "Deny"' in fixed


def test_public_container_is_made_private_and_the_account_guarded(tmp_path: Path) -> None:
    text = RG + account("  allow_blob_public_access = true\n") + """
resource "azurerm_storage_container" "weights" {
  name                  = "model-weights"
  storage_account_id    = azurerm_storage_account.weights.id
  container_access_type = "container"
}
"""
    fixed = fix_until_clean(tmp_path, text, "storage.model-store-public")
    assert 'container_access_type = "private"' in fixed
    # the v2 attribute is set in place rather than adding its v3 name next to it
    assert "allow_blob_public_access = false" in fixed and "allow_nested_items_to_be_public" not in fixed


def test_container_findings_are_fixed_on_the_account(tmp_path: Path) -> None:
    text = RG + account() + """
resource "azurerm_storage_container" "weights" {
  name               = "model-weights"
  storage_account_id = azurerm_storage_account.weights.id
}
"""
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    failed = {f.asset.id: f for f in scan(tmp_path, "storage.model-store-versioning-off")}
    container = failed["azurerm_storage_container.weights"]
    assert container.fix is not None and "inherits this setting" in container.fix.terraform
    assert container.fix.edits == failed["azurerm_storage_account.weights"].fix.edits  # type: ignore[union-attr]
    fixed = fix_until_clean(tmp_path / "fix", text, "storage.model-store-versioning-off")
    assert "versioning_enabled = true" in fixed


def test_broad_role_is_narrowed(tmp_path: Path) -> None:
    text = RG + account() + """
resource "azurerm_role_assignment" "research" {
  scope              = azurerm_storage_account.weights.id
  role_definition_id = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
  principal_id       = "22222222-2222-2222-2222-222222222222"
}
"""
    fixed = fix_until_clean(tmp_path, text, "iam.broad-role-on-model-store")
    assert "role_definition_id" not in fixed
    assert 'role_definition_name = "Storage Blob Data Reader"' in fixed


def test_workspace_fixes(tmp_path: Path) -> None:
    text = """
resource "azurerm_machine_learning_workspace" "llm" {
  name                                         = "llm-ws"
  location                                     = "westeurope"
  resource_group_name                          = "rg-ml"
  application_insights_id                      = "ai"
  key_vault_id                                 = "/subscriptions/0/resourceGroups/rg-ml/providers/Microsoft.KeyVault/vaults/kv"
  storage_account_id                           = "sa"
  public_access_behind_virtual_network_enabled = true
  identity {
    type = "SystemAssigned"
  }
}
"""
    fixed = fix_until_clean(tmp_path / "public", text, "ai.workspace-public-network")
    assert "public_access_behind_virtual_network_enabled" not in fixed
    assert "public_network_access_enabled" in fixed
    fixed = fix_until_clean(tmp_path / "cmek", text, "ai.resource-not-cmek")
    assert fixed.count("key_vault_id = \"/subscriptions/0/resourceGroups/rg-ml/providers/Microsoft.KeyVault/vaults/kv\"") == 2
    assert "key_id       = azurerm_key_vault_key.llm_cmek.id" in fixed


NAMESPACE = """resource "kubernetes_namespace" "inference" {
  metadata {
    name = "llm-inference"
  }
}
"""


def test_k8s_fix_removes_allow_all_rules_and_keeps_an_existing_default_deny(tmp_path: Path) -> None:
    text = NAMESPACE + """
resource "kubernetes_network_policy" "deny" {
  metadata {
    name      = "deny-egress"
    namespace = kubernetes_namespace.inference.metadata[0].name
  }
  spec {
    pod_selector {}
    policy_types = ["Egress"]
  }
}

resource "kubernetes_network_policy" "downloader" {
  metadata {
    name      = "downloader"
    namespace = "llm-inference"
  }
  spec {
    pod_selector {
      match_labels = {
        app = "downloader"
      }
    }
    policy_types = ["Egress"]
    egress {
      to {
        ip_block {
          cidr = "10.0.0.0/8"
        }
      }
    }
    egress {}
    egress {
      to {
        ip_block {
          cidr = "::/0"
        }
      }
    }
  }
}
"""
    fixed = fix_until_clean(tmp_path, text, "k8s.ai-namespace-egress-unrestricted")
    assert "egress {}" not in fixed and "::/0" not in fixed
    assert 'cidr = "10.0.0.0/8"' in fixed  # the narrow rule stays
    assert "kubernetes_network_policy_v1" not in fixed  # a proper default deny already existed


def test_k8s_fix_is_appended_next_to_a_namespace_in_a_module(tmp_path: Path) -> None:
    (tmp_path / "ns").mkdir(parents=True)
    (tmp_path / "ns" / "main.tf").write_text(NAMESPACE, encoding="utf-8")
    result = scan_paths([str(tmp_path)], options=ScanOptions(only_rules=("k8s.ai-namespace-egress-unrestricted",)))
    (finding,) = [f for f in result.findings if f.status is Status.FAIL]
    assert finding.fix is not None
    assert "namespace = kubernetes_namespace.inference.metadata[0].name" in finding.fix.terraform
    assert {e.file for e in finding.fix.edits} == {str(tmp_path / "ns" / "main.tf")}


@pytest.mark.parametrize(("address", "local"), [
    ("azurerm_storage_account.a", "azurerm_storage_account.a"),
    ('module.ml["x"].module.store.azurerm_storage_account.a[0]', "azurerm_storage_account.a[0]"),
    ("insecure/azurerm_storage_account.models", "azurerm_storage_account.models"),
    ("envs/prod/module.m.azurerm_storage_account.a@12", "azurerm_storage_account.a"),
])
def test_local_ref(address: str, local: str) -> None:
    assert local_ref(address) == local


def no_duplicates(path: Path) -> None:
    result = scan_paths([str(path)])
    assert not [p for p in result.problems if "duplicate resource address" in str(p)], \
        [str(p) for p in result.problems]


COUNTED_ACCOUNT = RG + """
resource "azurerm_storage_account" "weights" {
  count                    = 2
  name                     = "acmeweights${count.index}"
  resource_group_name      = azurerm_resource_group.ml.name
  location                 = azurerm_resource_group.ml.location
  account_tier             = "Standard"
  account_replication_type = "GRS"
""" + TAGS + "}\n"


def test_cmek_of_a_counted_account_repeats_its_count(tmp_path: Path) -> None:
    fixed = fix_until_clean(tmp_path, COUNTED_ACCOUNT, "storage.model-store-not-cmek")
    no_duplicates(tmp_path)
    for header in ('resource "azurerm_key_vault" "weights_cmek"', 'resource "azurerm_key_vault_key" "weights_cmek"',
                   'resource "azurerm_storage_account_customer_managed_key" "weights"'):
        assert fixed.count(header) == 1, header
        assert fixed.split(header)[1].split("\n")[1].strip() == "count = 2", header
    assert "storage_account_id = azurerm_storage_account.weights[count.index].id" in fixed
    assert "key_name           = azurerm_key_vault_key.weights_cmek[count.index].name" in fixed
    assert 'name         = "acmeweights${count.index}-cmek"' in fixed  # a key name per account
    assert 'name                       = "${substr("acmeweights${count.index}", 0, 19)}-cmek"' in fixed


def test_default_deny_of_a_for_each_namespace_is_declared_once(tmp_path: Path) -> None:
    text = """
resource "kubernetes_namespace_v1" "ml" {
  for_each = toset(["training", "inference"])
  metadata {
    name = each.key
  }
}
"""
    fixed = fix_until_clean(tmp_path, text, "k8s.ai-namespace-egress-unrestricted", all_assets=True)
    no_duplicates(tmp_path)
    assert fixed.count('resource "kubernetes_network_policy_v1" "ml_default_deny_egress"') == 1
    assert 'for_each = toset(["training", "inference"])\n\n  metadata {' in fixed
    assert "namespace = kubernetes_namespace_v1.ml[each.key].metadata[0].name" in fixed


def test_fixes_in_one_of_several_roots_use_in_module_addresses(tmp_path: Path) -> None:
    (tmp_path / "insecure").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "insecure" / "main.tf").write_text(RG + account() + NAMESPACE, encoding="utf-8")
    (tmp_path / "other" / "main.tf").write_text(RG, encoding="utf-8")
    result = scan_paths([str(tmp_path)], options=ScanOptions(
        only_rules=("storage.model-store-not-cmek", "k8s.ai-namespace-egress-unrestricted"), all_assets=True))
    fixes = {f.rule_id: f.fix for f in result.findings if f.status is Status.FAIL and f.fix}
    assert {f.asset.id for f in result.findings} >= {"insecure/azurerm_storage_account.weights"}
    cmek, egress = fixes["storage.model-store-not-cmek"], fixes["k8s.ai-namespace-egress-unrestricted"]
    assert cmek is not None and egress is not None
    assert "storage_account_id = azurerm_storage_account.weights.id" in cmek.terraform
    assert "location                   = azurerm_storage_account.weights.location" in cmek.terraform
    assert "namespace = kubernetes_namespace.inference.metadata[0].name" in egress.terraform
    for fix in (cmek, egress):
        code = "\n".join(line.split("#", 1)[0] for line in fix.terraform.splitlines())
        assert "insecure/" not in code, fix.terraform
