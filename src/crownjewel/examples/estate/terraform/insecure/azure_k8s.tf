resource "azurerm_storage_account" "models" {
  name                     = "acmemodels"
  resource_group_name      = "ml"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
}

resource "azurerm_machine_learning_workspace" "ml" {
  name                    = "acme-ml"
  location                = "westeurope"
  resource_group_name     = "ml"
  application_insights_id = "/subscriptions/0000/resourceGroups/ml/providers/Microsoft.Insights/components/ml"
  key_vault_id            = "/subscriptions/0000/resourceGroups/ml/providers/Microsoft.KeyVault/vaults/ml"
  storage_account_id      = azurerm_storage_account.models.id
  identity {
    type = "SystemAssigned"
  }
}

resource "kubernetes_namespace_v1" "serving" {
  metadata {
    name = "model-serving"
  }
}
