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

resource "aws_kms_key" "notebook" {
  description             = "Encrypts the research notebook volume"
  enable_key_rotation     = true
  rotation_period_in_days = 90
}

resource "aws_sagemaker_notebook_instance" "research" {
  name                   = "llm-research"
  role_arn               = aws_iam_role.notebook.arn
  instance_type          = "ml.g5.xlarge"
  kms_key_id             = aws_kms_key.notebook.arn
  subnet_id              = aws_subnet.ml_private.id
  security_groups        = [aws_security_group.notebook.id]
  direct_internet_access = "Disabled"
  root_access            = "Disabled"
}
