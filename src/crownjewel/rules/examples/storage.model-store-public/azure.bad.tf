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

  tags = {
    data_classification = "model-weights"
  }
}

# "blob" lets anyone on the internet download the weights by URL
resource "azurerm_storage_container" "weights" {
  name                  = "model-weights"
  storage_account_id    = azurerm_storage_account.model_weights.id
  container_access_type = "blob"
}
