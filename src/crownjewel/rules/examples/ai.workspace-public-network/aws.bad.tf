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

resource "aws_vpc" "ml" {
  cidr_block = "10.20.0.0/16"

  tags = {
    Name = "ml-training-vpc"
  }
}

resource "aws_subnet" "ml_private" {
  vpc_id     = aws_vpc.ml.id
  cidr_block = "10.20.1.0/24"

  tags = {
    Name = "ml-private"
  }
}

resource "aws_security_group" "notebook" {
  name   = "ml-notebook"
  vpc_id = aws_vpc.ml.id
}

resource "aws_kms_key" "studio" {
  description             = "Encrypts SageMaker Studio home directories"
  enable_key_rotation     = true
  rotation_period_in_days = 90
}

resource "aws_sagemaker_domain" "studio" {
  domain_name = "acme-ml-studio"
  auth_mode   = "IAM"
  vpc_id      = aws_vpc.ml.id
  subnet_ids  = [aws_subnet.ml_private.id]
  kms_key_id  = aws_kms_key.studio.arn
  default_user_settings {
    execution_role  = aws_iam_role.notebook.arn
    security_groups = [aws_security_group.notebook.id]
  }
}
