"""The pure normalize steps on hand-written replies (no AWS, no moto)."""
from __future__ import annotations

import json

from crownjewel.collect.aws import cloudtrail, kms, s3
from crownjewel.collect.aws.common import KeyIndex, Scope
from crownjewel.collect.aws.session import Recorder, Reply, failure
from crownjewel.model.assets import EdgeKind
from crownjewel.model.graph import GraphBuilder

SCOPE = Scope("111122223333", "eu-west-1")


def bucket(name: str, **replies: Reply) -> s3.BucketRaw:
    base = {op: Reply(op, status="absent") for op in (
        "GetBucketEncryption", "GetBucketPolicy", "GetBucketPolicyStatus", "GetPublicAccessBlock",
        "GetBucketOwnershipControls", "GetObjectLockConfiguration", "GetBucketReplication", "GetBucketTagging")}
    base.update({"GetBucketLocation": Reply("GetBucketLocation", {"LocationConstraint": "eu-west-1"}),
                 "GetBucketAcl": Reply("GetBucketAcl", {"Grants": []}),
                 "GetBucketVersioning": Reply("GetBucketVersioning", {}),
                 "GetBucketLogging": Reply("GetBucketLogging", {}),
                 "ListObjectsV2": Reply("ListObjectsV2", {"Contents": [], "IsTruncated": False})})
    base.update(replies)
    return s3.BucketRaw(name, "eu-west-1", base)


def normalize_s3(*buckets: s3.BucketRaw, account_pab: Reply | None = None, keys: KeyIndex | None = None):
    builder = GraphBuilder()
    raw = s3.S3Raw(Reply("ListBuckets", []), account_pab or Reply("GetPublicAccessBlock", status="absent"),
                   list(buckets))
    s3.normalize(raw, SCOPE, keys or KeyIndex(), builder)
    return builder.freeze()


def test_aws_managed_and_customer_keys() -> None:
    keys = KeyIndex(managers={"arn:aws:kms:eu-west-1:111122223333:key/aws1": "AWS",
                              "arn:aws:kms:eu-west-1:111122223333:key/c1": "CUSTOMER"},
                    aliases={"arn:aws:kms:eu-west-1:111122223333:alias/models":
                             "arn:aws:kms:eu-west-1:111122223333:key/c1"})
    assert keys.resolve(None, SCOPE) == ("provider-managed", None)
    assert keys.resolve("alias/aws/s3", SCOPE) == ("provider-managed", None)
    assert keys.resolve("aws1", SCOPE) == ("provider-managed", None)  # KeyManager AWS
    assert keys.resolve("alias/models", SCOPE) == ("customer-managed", "arn:aws:kms:eu-west-1:111122223333:key/c1")
    other = "arn:aws:kms:us-east-1:999999999999:key/x"  # not scanned: a literal key is the customer's
    assert keys.resolve(other, SCOPE) == ("customer-managed", other)


def test_sse_s3_sse_kms_default_key_and_failure() -> None:
    sse = lambda algo, key=None: Reply("GetBucketEncryption", {"ServerSideEncryptionConfiguration": {"Rules": [  # noqa: E731
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algo, **({"KMSMasterKeyID": key} if key else {})}}]}})
    denied = failure("GetBucketEncryption", "s3:GetEncryptionConfiguration",
                     _client_error("AccessDenied"), "eu-west-1")
    graph = normalize_s3(bucket("a", GetBucketEncryption=sse("AES256")),
                         bucket("b", GetBucketEncryption=sse("aws:kms")),
                         bucket("c", GetBucketEncryption=sse("aws:kms", "alias/aws/s3")),
                         bucket("d", GetBucketEncryption=sse("aws:kms", "k1")),
                         bucket("e", GetBucketEncryption=denied), bucket("f"),
                         bucket("g", GetBucketEncryption=sse("aws:kms", "k-undescribed")),
                         keys=KeyIndex(managers={"arn:aws:kms:eu-west-1:111122223333:key/k1": "CUSTOMER"}))
    enc = {a.name: a.get("encryption") for a in graph.assets()}
    assert enc == {"a": "provider-managed", "b": "provider-managed", "c": "provider-managed",
                   "d": "customer-managed", "e": None, "f": "provider-managed", "g": None}
    # a key of this account KMS never described may be AWS-managed: unknown, not customer-managed
    assert "not seen by the scan" in graph["arn:aws:s3:::g"].why_unknown("encryption")
    assert graph["arn:aws:s3:::e"].why_unknown("encryption") == "s3:GetEncryptionConfiguration denied (AccessDenied)"
    assert [e.dst for e in graph.out_edges("arn:aws:s3:::d", EdgeKind.ENCRYPTED_BY)] == [
        "arn:aws:kms:eu-west-1:111122223333:key/k1"]


def test_public_access_block_combines_levels_and_never_guesses() -> None:
    on = {"PublicAccessBlockConfiguration": dict.fromkeys(s3.PAB_KEYS, True)}
    half = {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": True}}
    denied = failure("GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock", _client_error("AccessDenied"),
                     "eu-west-1")
    g = normalize_s3(bucket("on", GetPublicAccessBlock=Reply("GetPublicAccessBlock", on)),
                     bucket("half", GetPublicAccessBlock=Reply("GetPublicAccessBlock", half)),
                     account_pab=denied)
    assert g["arn:aws:s3:::on"].get("public_access_prevention") is True
    half_asset = g["arn:aws:s3:::half"]  # the account level might block the other two: unknown
    assert not half_asset.knows("public_access_prevention")
    assert half_asset.why_unknown("public_access_prevention") == "s3:GetAccountPublicAccessBlock denied (AccessDenied)"


def test_truncated_listing_keeps_a_sample_but_no_total() -> None:
    listed = Reply("ListObjectsV2", {"Contents": [{"Key": "w/model.gguf", "Size": 5}], "IsTruncated": True})
    asset = normalize_s3(bucket("big", ListObjectsV2=listed))["arn:aws:s3:::big"]
    assert asset.get("sample_objects") == ("w/model.gguf",)
    assert not asset.knows("bytes") and "only a sample" in asset.why_unknown("bytes")


def test_data_event_selectors() -> None:
    basic = {"EventSelectors": [
        {"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::models/"]}]},
        {"ReadWriteType": "WriteOnly", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}
    assert cloudtrail.data_event_buckets(basic) == ("arn:aws:s3:::models/",)
    everything = {"EventSelectors": [{"DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}
    assert cloudtrail.data_event_buckets(everything) == ("*",)
    advanced = {"AdvancedEventSelectors": [
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]},
        {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                            {"Field": "readOnly", "Equals": ["false"]}]}]}
    assert cloudtrail.data_event_buckets(advanced) == ("*",)
    writes = {"AdvancedEventSelectors": advanced["AdvancedEventSelectors"][1:]}
    assert cloudtrail.data_event_buckets(writes) == ()


def test_key_policy_wildcards_and_rotation_period() -> None:
    arn = "arn:aws:kms:eu-west-1:111122223333:key/k1"
    policy = {"Statement": [
        {"Sid": "Open", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"},
        {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]}
    raw = kms.KmsRaw(Reply("ListKeys", [{"KeyId": "k1", "KeyArn": arn}]), Reply("ListAliases", []), [
        kms.KeyRaw("k1", arn, {
            "DescribeKey": Reply("DescribeKey", {"KeyMetadata": {"KeyManager": "CUSTOMER", "KeyState": "Enabled"}}),
            "GetKeyRotationStatus": Reply("GetKeyRotationStatus",
                                          {"KeyRotationEnabled": True, "RotationPeriodInDays": 180}),
            "GetKeyPolicy": Reply("GetKeyPolicy", {"Policy": json.dumps(policy)})})])
    builder = GraphBuilder()
    kms.normalize(raw, SCOPE, builder)
    key = builder.freeze()[arn]
    assert key.get("rotation_period_days") == 180.0
    assert len(key.get("public_grants")) == 1 and "'Open'" in key.get("public_grants")[0]
    assert len(key.get("wildcard_principals")) == 2


def test_coverage_status_from_recorder() -> None:
    rec = Recorder("1", "eu-west-1", "kms")
    rec.record(Reply("ListKeys", []))
    assert rec.status() == ("complete", "")
    rec.record(failure("GetKeyPolicy", "kms:GetKeyPolicy", _client_error("AccessDeniedException"), "eu-west-1"))
    assert rec.status()[0] == "partial" and "kms:GetKeyPolicy denied" in rec.status()[1]
    rec.listing_failed(failure("ListKeys", "kms:ListKeys", _client_error("OptInRequired"), "eu-west-1"))
    assert rec.status() == ("error", "kms:ListKeys unavailable in eu-west-1 (OptInRequired)")


def _client_error(code: str) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": "m"}}, "Op")
