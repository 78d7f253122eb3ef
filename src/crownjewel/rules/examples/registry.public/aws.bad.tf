resource "aws_ecr_repository" "model_serving" {
  name                 = "acme/model-serving"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "model_serving" {
  repository = aws_ecr_repository.model_serving.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PullImages"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    }]
  })
}
