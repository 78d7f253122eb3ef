# A SageMaker deployment whose weights sit in a bucket anyone can read.
resource "aws_s3_bucket" "weights" {
  bucket = "acme-sagemaker-weights"
}

resource "aws_s3_bucket_acl" "weights" {
  bucket = aws_s3_bucket.weights.id
  acl    = "public-read"
}

resource "aws_kms_key" "sagemaker" {
  description         = "SageMaker notebook volumes"
  enable_key_rotation = false
}

resource "aws_sagemaker_model" "fraud" {
  name               = "fraud-detector"
  execution_role_arn = "arn:aws:iam::111122223333:role/sagemaker-exec"
  primary_container {
    image          = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/fraud:1.4"
    model_data_url = "s3://acme-sagemaker-weights/fraud/model.tar.gz"
  }
}

resource "aws_sagemaker_notebook_instance" "research" {
  name          = "research"
  role_arn      = "arn:aws:iam::111122223333:role/sagemaker-exec"
  instance_type = "ml.t3.medium"
  kms_key_id    = aws_kms_key.sagemaker.arn
}

resource "aws_cloudtrail" "main" {
  name                          = "main"
  s3_bucket_name                = "acme-cloudtrail-logs"
  include_global_service_events = true
  enable_logging                = false
}
