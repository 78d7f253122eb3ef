resource "azurerm_resource_group" "ml" {
  name     = "rg-ml-prod"
  location = "westeurope"
}

resource "azurerm_storage_account" "model_weights" {
  name                     = "acmemodelweights"
  resource_group_name      = azurerm_resource_group.ml.name
  location                 = azurerm_resource_group.ml.location
  account_tier             = "Standard"
  account_replication_type = "GRS"

  network_rules {
    default_action = "Allow"
    ip_rules       = ["203.0.113.10"]
  }

  tags = {
    data_classification = "model-weights"
  }
}
