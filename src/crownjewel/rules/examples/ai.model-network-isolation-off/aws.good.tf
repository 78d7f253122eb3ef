resource "aws_s3_bucket" "model_weights" {
  bucket = "acme-model-weights"

  tags = {
    team = "ml-platform"
  }
}

resource "aws_iam_role" "sagemaker" {
  name = "acme-sagemaker-execution"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_sagemaker_model" "fraud_detector" {
  name                     = "fraud-detector-v3"
  execution_role_arn       = aws_iam_role.sagemaker.arn
  enable_network_isolation = true

  primary_container {
    image          = "763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.1-cpu-py310"
    model_data_url = "s3://${aws_s3_bucket.model_weights.bucket}/fraud-detector/v3/model.tar.gz"
  }
}
