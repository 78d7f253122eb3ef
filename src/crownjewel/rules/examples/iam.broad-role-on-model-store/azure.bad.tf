resource "azurerm_resource_group" "ml" {
  name     = "rg-ml-prod"
  location = "westeurope"
}

resource "azurerm_storage_account" "model_weights" {
  name                            = "acmemodelweights"
  resource_group_name             = azurerm_resource_group.ml.name
  location                        = azurerm_resource_group.ml.location
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  allow_nested_items_to_be_public = false

  tags = {
    data_classification = "model-weights"
  }
}

# the research group's identity
resource "azurerm_role_assignment" "researchers" {
  scope                = azurerm_storage_account.model_weights.id
  role_definition_name = "Contributor"
  principal_id         = "7f2c1a9e-3b4d-4e5f-8a6b-1c2d3e4f5a6b"
}
