resource "aws_iam_role" "notebook" {
  name = "acme-research-notebook"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sagemaker.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_kms_key" "notebook" {
  description             = "Encrypts the research notebook volume"
  enable_key_rotation     = true
  rotation_period_in_days = 90
}

resource "aws_sagemaker_notebook_instance" "research" {
  name          = "llm-research"
  role_arn      = aws_iam_role.notebook.arn
  instance_type = "ml.g5.xlarge"
  kms_key_id    = aws_kms_key.notebook.arn
  root_access   = "Disabled"
}
