"""The model, classification and rule engine on hand-built graphs (pure code, no I/O)."""
from __future__ import annotations

import pytest

from crownjewel.classify import MODEL_ARTEFACTS, PROTECTS_CROWN_JEWEL, TRAINING_DATA, ClassifyOptions, classify
from crownjewel.model.assets import Asset, EdgeKind, Kind, frozen_map
from crownjewel.model.findings import Severity, Status
from crownjewel.model.graph import GraphBuilder, GraphError
from crownjewel.rules.engine import EvalContext, evaluate, select_rules
from crownjewel.rules.registry import RULES, load_rules

load_rules()


def store(id_: str, name: str, **attrs) -> Asset:
    return Asset(id=id_, kind=Kind.OBJECT_STORE, provider="gcp", name=name, native_type="google_storage_bucket",
                 attrs=frozen_map(attrs))


def build(*assets: Asset, edges=(), patches=()) -> object:
    b = GraphBuilder()
    for a in assets:
        b.add(a)
    for src, kind, dst in edges:
        b.link(src, kind, dst)
    for asset_id, attrs in patches:
        b.patch(asset_id, attrs)
    return b.freeze()


def run(graph, rule_ids, all_assets=False):
    classes = classify(graph, ClassifyOptions(all_assets=all_assets))
    rules = select_rules(RULES, rule_ids)
    return evaluate(rules, EvalContext(graph, classes))


def test_duplicate_asset_ids_are_a_bug() -> None:
    b = GraphBuilder()
    b.add(store("a", "a"))
    with pytest.raises(GraphError):
        b.add(store("a", "a"))


def test_patches_merge_lists_and_replace_scalars_and_clear_unknown() -> None:
    a = Asset(id="b", kind=Kind.OBJECT_STORE, provider="aws", name="b", native_type="aws_s3_bucket",
              attrs=frozen_map({"public_grants": ("one",), "versioning": False}),
              unknown=frozen_map({"encryption": "not read"}))
    g = build(a, patches=[("b", {"public_grants": ("two",), "versioning": True, "encryption": "customer-managed"}),
                          ("missing", {"x": 1})])
    got = g["b"]
    assert got.attrs["public_grants"] == ("one", "two")
    assert got.attrs["versioning"] is True and "encryption" not in got.unknown
    with pytest.raises(TypeError):
        got.attrs["x"] = 1  # type: ignore[index]


def test_classification_by_registry_reference_name_and_key() -> None:
    model = Asset(id="m", kind=Kind.MODEL, provider="aws", name="fraud", native_type="aws_sagemaker_model")
    bucket = store("s", "acme-prod-data-7")  # name says nothing
    key = Asset(id="k", kind=Kind.CRYPTO_KEY, provider="aws", name="k", native_type="aws_kms_key")
    corpus = store("t", "acme-training-corpus")
    plain = store("p", "acme-website")
    g = build(model, bucket, key, corpus, plain,
              edges=[("m", EdgeKind.STORES_ARTEFACTS_IN, "s"), ("s", EdgeKind.ENCRYPTED_BY, "k")])
    classes = classify(g)
    assert MODEL_ARTEFACTS in classes["s"].categories
    assert any("m keeps its model artefacts here" in e for e in classes["s"].evidence)
    assert PROTECTS_CROWN_JEWEL in classes["k"].categories
    assert TRAINING_DATA in classes["t"].categories
    assert "p" not in classes
    assert "p" in classify(g, ClassifyOptions(all_assets=True))
    assert "s" not in classify(g, ClassifyOptions(out_of_scope=("acme-prod-*",)))
    assert "p" in classify(g, ClassifyOptions(crown_jewels=("acme-web*",)))


def test_object_samples_classify_model_artefacts() -> None:
    g = build(store("s", "x", sample_objects=("readme.txt", "llama/model-00001.safetensors")))
    assert "object llama/model-00001.safetensors" in classify(g)["s"].evidence


def test_missing_attribute_is_unknown_with_the_collectors_reason_never_pass() -> None:
    a = Asset(id="s", kind=Kind.OBJECT_STORE, provider="aws", name="ml-models", native_type="aws_s3_bucket",
              unknown=frozen_map({"encryption": "AccessDenied on GetBucketEncryption"}))
    [f] = run(build(a), ["storage.model-store-not-cmek"])
    assert f.status is Status.UNKNOWN and f.evidence == ("AccessDenied on GetBucketEncryption",)
    assert f.severity is Severity.CRITICAL


def test_severity_is_critical_on_crown_jewels_and_base_elsewhere() -> None:
    jewel = store("j", "ml-models", versioning=False)
    other = store("o", "website", versioning=False)
    g = build(jewel, other)
    findings = run(g, ["storage.model-store-versioning-off"])
    assert [(f.asset.id, f.status) for f in findings] == [("j", Status.FAIL)]
    assert findings[0].severity is Severity.CRITICAL
    everything = run(g, ["storage.model-store-versioning-off"], all_assets=True)
    assert {f.asset.id for f in everything} == {"j", "o"}


def test_base_severity_on_non_jewels_for_rules_applying_to_all() -> None:
    trail = Asset(id="t", kind=Kind.AUDIT_LOG, provider="aws", name="main", native_type="aws_cloudtrail",
                  attrs=frozen_map({"logging_enabled": False}))
    [f] = run(build(trail), ["logging.trail-not-logging"])
    assert f.status is Status.FAIL and f.severity is Severity.HIGH


def test_rotation_exactly_90_days_passes_and_91_fails() -> None:
    def key(days):
        return Asset(id=f"k{days}", kind=Kind.CRYPTO_KEY, provider="gcp", name=f"model-key-{days}",
                     native_type="google_kms_crypto_key",
                     attrs=frozen_map({"rotation_period_days": days, "managed_by": "customer"}))
    findings = {f.asset.id: f.status for f in run(build(key(90), key(91), key(None)), ["kms.key-rotation-over-90-days"],
                                                  all_assets=True)}
    assert findings == {"k90": Status.PASS, "k91": Status.FAIL, "kNone": Status.FAIL}


def test_a_crashing_rule_reads_unknown_not_pass() -> None:
    # rotation_period_days holds garbage a collector should never produce
    bad = Asset(id="k", kind=Kind.CRYPTO_KEY, provider="gcp", name="model-key", native_type="google_kms_crypto_key",
                attrs=frozen_map({"rotation_period_days": "soon", "managed_by": "customer"}))
    [f] = run(build(bad), ["kms.key-rotation-over-90-days"], all_assets=True)
    assert f.status is Status.UNKNOWN and "internal error" in f.evidence[0]


def test_select_rules_rejects_unknown_patterns() -> None:
    with pytest.raises(ValueError, match="no rule matches"):
        select_rules(RULES, ["nope.*"])
    assert {r.id for r in select_rules(RULES, ["logging.*"], ["logging.trail-*"])} == {
        r for r in RULES if r.startswith("logging.") and not r.startswith("logging.trail-")}


def test_egress_policy_semantics() -> None:
    ns = Asset(id="ns", kind=Kind.NAMESPACE, provider="kubernetes", name="model-serving", native_type="kubernetes_namespace")

    def policy(pid, selector, types, egress):
        return Asset(id=pid, kind=Kind.NETWORK_POLICY, provider="kubernetes", name=pid,
                     native_type="kubernetes_network_policy",
                     attrs=frozen_map({"namespace": "model-serving", "pod_selector": selector,
                                       "policy_types": types, "egress": egress}))
    deny = policy("deny", {}, ("Egress",), ())
    dns = policy("dns", {}, ("Egress",), ({"to": ({"namespace_selector": {"name": "kube-system"}},)},))
    open_ = policy("open", {"app": "x"}, ("Egress",), ({"to": ({"ip_block": {"cidr": "0.0.0.0/0"}},)},))
    ingress_only = policy("ing", {}, ("Ingress",), ())
    rid = ["k8s.ai-namespace-egress-unrestricted"]
    assert run(build(ns), rid)[0].status is Status.FAIL
    assert run(build(ns, ingress_only), rid)[0].status is Status.FAIL
    assert run(build(ns, deny), rid)[0].status is Status.PASS
    assert run(build(ns, deny, dns), rid)[0].status is Status.PASS
    [f] = run(build(ns, deny, open_), rid)  # policies are additive: one allow-all reopens egress
    assert f.status is Status.FAIL and "0.0.0.0/0" in f.message


def test_derived_crown_jewels_go_one_level_up_not_to_critical() -> None:
    bucket = store("s", "ml-models", encryption="customer-managed")
    key = Asset(id="k", kind=Kind.CRYPTO_KEY, provider="gcp", name="k", native_type="google_kms_crypto_key",
                attrs=frozen_map({"rotation_period_days": 365.0, "managed_by": "customer"}))
    g = build(bucket, key, edges=[("s", EdgeKind.ENCRYPTED_BY, "k")])
    [f] = run(g, ["kms.key-rotation-over-90-days"])
    assert f.status is Status.FAIL and f.severity is Severity.HIGH  # base medium, protects a crown jewel
