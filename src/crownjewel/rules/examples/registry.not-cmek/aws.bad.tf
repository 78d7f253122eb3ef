resource "aws_ecr_repository" "model_serving" {
  name                 = "acme/model-serving"
  image_tag_mutability = "IMMUTABLE"
}
