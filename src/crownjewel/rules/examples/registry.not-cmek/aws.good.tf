resource "aws_kms_key" "model_serving" {
  description             = "Encrypts model-serving images"
  enable_key_rotation     = true
  rotation_period_in_days = 90
}

resource "aws_ecr_repository" "model_serving" {
  name                 = "acme/model-serving"
  image_tag_mutability = "IMMUTABLE"

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.model_serving.arn
  }
}
