data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "ml" {
  name     = "rg-ml-prod"
  location = "westeurope"
}

resource "azurerm_key_vault" "ml" {
  name                       = "acme-ml-keys"
  location                   = azurerm_resource_group.ml.location
  resource_group_name        = azurerm_resource_group.ml.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  purge_protection_enabled   = true
  soft_delete_retention_days = 90
}

resource "azurerm_key_vault_key" "model_weights" {
  name         = "model-weights-key"
  key_vault_id = azurerm_key_vault.ml.id
  key_type     = "RSA"
  key_size     = 3072
  key_opts     = ["unwrapKey", "wrapKey"]

  rotation_policy {
    automatic {
      time_after_creation = "P90D"
    }
    expire_after         = "P180D"
    notify_before_expiry = "P30D"
  }
}

resource "azurerm_storage_account" "model_weights" {
  name                            = "acmemodelweights"
  resource_group_name             = azurerm_resource_group.ml.name
  location                        = azurerm_resource_group.ml.location
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  allow_nested_items_to_be_public = false

  identity {
    type = "SystemAssigned"
  }

  tags = {
    data_classification = "model-weights"
  }
}

resource "azurerm_key_vault_access_policy" "model_weights" {
  key_vault_id    = azurerm_key_vault.ml.id
  tenant_id       = azurerm_storage_account.model_weights.identity[0].tenant_id
  object_id       = azurerm_storage_account.model_weights.identity[0].principal_id
  key_permissions = ["Get", "UnwrapKey", "WrapKey"]
}

resource "azurerm_storage_account_customer_managed_key" "model_weights" {
  storage_account_id = azurerm_storage_account.model_weights.id
  key_vault_id       = azurerm_key_vault.ml.id
  key_name           = azurerm_key_vault_key.model_weights.name

  depends_on = [azurerm_key_vault_access_policy.model_weights]
}

resource "azurerm_storage_container" "checkpoints" {
  name                  = "llm-checkpoints"
  storage_account_id    = azurerm_storage_account.model_weights.id
  container_access_type = "private"
}
