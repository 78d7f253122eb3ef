"""One reading of CloudTrail selectors for live trails and Terraform."""
from __future__ import annotations

from crownjewel.collect.aws.cloudtrail import data_event_buckets
from crownjewel.collect.cloudtrail_selectors import ALL_BUCKETS, advanced_selector_values, bucket_value


def _adv(**fields):
    return {"eventCategory": {"equals": ["Data"]}, "resources.type": {"equals": ["AWS::S3::Object"]}, **fields}


def test_every_bucket_forms_of_every_partition() -> None:
    for value in ("arn:aws:s3", "arn:aws:s3:::", "arn:aws-cn:s3:::", "arn:aws-us-gov:s3:::*/*"):
        assert bucket_value(value) == ALL_BUCKETS, value
    assert bucket_value("arn:aws:s3:::acme-models/") == "arn:aws:s3:::acme-models/"


def test_event_name_filters_that_leave_out_reads_record_nothing_readable() -> None:
    assert advanced_selector_values(_adv(eventName={"equals": ["PutObject", "DeleteObject"]})) is None
    assert advanced_selector_values(_adv(eventName={"not_equals": ["GetObject"]})) is None
    assert advanced_selector_values(_adv(eventName={"equals": ["GetObject"]})) == [ALL_BUCKETS]
    assert advanced_selector_values(_adv(readOnly={"equals": ["false"]})) is None


def test_live_reply_uses_the_same_reading() -> None:
    reply = {"EventSelectors": [{"ReadWriteType": "WriteOnly", "DataResources": [
                {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}],
             "AdvancedEventSelectors": [{"FieldSelectors": [
                 {"Field": "eventCategory", "Equals": ["Data"]},
                 {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                 {"Field": "eventName", "Equals": ["PutObject"]}]},
                 {"FieldSelectors": [
                     {"Field": "eventCategory", "Equals": ["Data"]},
                     {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                     {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::acme-models/"]}]}]}
    assert data_event_buckets(reply) == ("arn:aws:s3:::acme-models/",)
