"""Which assets are crown jewels (hold model artefacts, training data, or are AI registries), and why.

Classification is explicit: every category an asset gets comes with one evidence line a person
can check ("aws_sagemaker_model.fraud ModelDataUrl points into this bucket", "object
weights/model.safetensors", "name 'ml-models' contains 'model'", "config: crown_jewels").
"""
from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from crownjewel.model.assets import Asset, EdgeKind, Kind
from crownjewel.model.graph import EstateGraph

MODEL_ARTEFACTS = "model_artefacts"
TRAINING_DATA = "training_data"
MODEL_REGISTRY = "model_registry"
AI_SERVICE = "ai_service"
PROTECTS_CROWN_JEWEL = "protects_crown_jewel"  # a key encrypting one, a log of one
AI_NETWORK = "ai_network"
AI_NAMESPACE = "ai_namespace"
HOLDS_CROWN_JEWELS = "holds_crown_jewels"  # an account / project containing one
DECLARED = "declared"  # the user said so (config or --all-assets)
# Categories whose failures are critical: the asset itself holds or serves the crown jewels.
HOLDS_MODELS = frozenset({MODEL_ARTEFACTS, TRAINING_DATA, MODEL_REGISTRY, AI_SERVICE, DECLARED})

ARTEFACT_SUFFIXES = (
    ".safetensors", ".gguf", ".ggml", ".pt", ".pth", ".bin", ".onnx", ".ckpt", ".h5", ".keras",
    ".pb", ".tflite", ".mlmodel", ".pkl", ".joblib", ".msgpack", ".npz", ".engine", ".plan",
)
ARTEFACT_NAMES = ("saved_model.pb", "model.tar.gz", "pytorch_model.bin", "adapter_model.bin")
TRAINING_SUFFIXES = (".parquet", ".tfrecord", ".jsonl", ".arrow", ".csv.gz", ".webdataset", ".tar")

_WORD = r"(?:^|[^a-z0-9])({})(?:[^a-z0-9]|$)"
_MODEL_WORDS = re.compile(_WORD.format(
    "models?|weights?|checkpoints?|ckpts?|llms?|ml|mlops|genai|ai|artifacts?|artefacts?|"
    "model-registry|inference|serving|embeddings?|fine-?tun\\w*|lora|sagemaker|vertex"))
_TRAINING_WORDS = re.compile(_WORD.format(
    "training|train|datasets?|corpus|corpora|features?|feature-?store|labels?|labell?ed"))
_TAG_KEYS = re.compile(r"(data[-_]?class\w*|classification|crown[-_]?jewel|contains|purpose|workload)")

_Mark = Callable[[str, str, str], None]

INHERENT: Mapping[Kind, tuple[str, str]] = {
    Kind.MODEL_REGISTRY: (MODEL_REGISTRY, "a model registry"),
    Kind.MODEL: (MODEL_ARTEFACTS, "a model resource"),
    Kind.AI_DATA_STORE: (TRAINING_DATA, "an AI data store (dataset, features, metadata, metrics)"),
    Kind.AI_DOMAIN: (AI_SERVICE, "an ML workspace domain"),
    Kind.ENDPOINT: (AI_SERVICE, "a model-serving endpoint"),
    Kind.NOTEBOOK: (AI_SERVICE, "an ML notebook with access to models and data"),
    Kind.TRAINING_JOB: (AI_SERVICE, "a training job"),
}


@dataclass(frozen=True, slots=True)
class Classification:
    """Why an asset counts: its categories, each backed by at least one evidence line."""

    categories: frozenset[str]
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ClassifyOptions:
    """User declarations: crown jewels and out-of-scope assets (ids or names, fnmatch patterns)."""

    crown_jewels: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    all_assets: bool = False


def matches_any(asset: Asset, patterns: Iterable[str]) -> str | None:
    """The first pattern matching the asset's id or name, if any."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(asset.id, pattern) or fnmatch.fnmatchcase(asset.name, pattern):
            return pattern
    return None


def classify(graph: EstateGraph, options: ClassifyOptions | None = None) -> Mapping[str, Classification]:
    """Classify every asset of the graph; assets that are not crown jewels are absent."""
    options = options or ClassifyOptions()
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def mark(asset_id: str, category: str, why: str) -> None:
        found[asset_id][category].append(why)

    for asset in graph.assets():
        if matches_any(asset, options.out_of_scope):
            continue
        if asset.kind in INHERENT:
            category, why = INHERENT[asset.kind]
            mark(asset.id, category, f"{asset.native_type} is {why}")
        pattern = matches_any(asset, options.crown_jewels)
        if pattern:
            mark(asset.id, DECLARED, f"config: crown_jewels matches {pattern!r}")
        if asset.kind in (Kind.OBJECT_STORE, Kind.CONTAINER_REGISTRY):
            _classify_store(asset, graph, mark)

    # Derived classes: what protects, hosts or contains a crown jewel.
    jewels = set(found)
    for asset_id in list(jewels):
        asset = graph[asset_id]
        for key in graph.targets(asset_id, EdgeKind.ENCRYPTED_BY):
            mark(key.id, PROTECTS_CROWN_JEWEL, f"encrypts crown jewel {asset.id}")
        for net in graph.targets(asset_id, EdgeKind.IN_NETWORK):
            if asset.kind in (Kind.NOTEBOOK, Kind.ENDPOINT, Kind.TRAINING_JOB, Kind.AI_DOMAIN):
                mark(net.id, AI_NETWORK, f"{asset.id} runs in it")
        for parent in graph.targets(asset_id, EdgeKind.PART_OF):
            if parent.kind is Kind.OBJECT_STORE and asset.kind is Kind.OBJECT_STORE:
                for category in found[asset_id]:
                    if category in (MODEL_ARTEFACTS, TRAINING_DATA, DECLARED):
                        mark(parent.id, category, f"contains crown-jewel container {asset.id}")
        for account in graph.targets(asset_id, EdgeKind.IN_ACCOUNT):
            mark(account.id, HOLDS_CROWN_JEWELS, f"contains crown jewel {asset.id}")
    # Grants on a crown jewel, or on the account holding one, or on every resource.
    providers_with_jewels = {graph[a].provider for a in found}
    for binding in graph.assets(Kind.ROLE_BINDING):
        for target in graph.targets(binding.id, EdgeKind.GRANTS):
            if target.id in found:
                mark(binding.id, PROTECTS_CROWN_JEWEL, f"grants access to crown jewel {target.id}")
        if binding.get("resource") == "*" and binding.provider in providers_with_jewels:
            mark(binding.id, PROTECTS_CROWN_JEWEL, "grants access to every resource, crown jewels included")
    # Audit configs, trails and flow logs that watch a crown jewel (or its project) protect it.
    for kind in (Kind.AUDIT_LOG, Kind.FLOW_LOG):
        for watcher in graph.assets(kind):
            for target in graph.targets(watcher.id, EdgeKind.MONITORS):
                if target.id in found:
                    mark(watcher.id, PROTECTS_CROWN_JEWEL, f"monitors {target.id}")
    for network in graph.assets(Kind.NETWORK):
        if network.id in found and AI_NETWORK in found[network.id]:
            for subnet in graph.sources(network.id, EdgeKind.IN_NETWORK):
                if subnet.kind is Kind.SUBNET:
                    mark(subnet.id, AI_NETWORK, f"subnet of AI network {network.id}")
    for asset in graph.assets(Kind.SUBNET):
        if _MODEL_WORDS.search(asset.name.lower()):
            mark(asset.id, AI_NETWORK, f"name {asset.name!r} names an AI workload")
    for asset in graph.assets(Kind.NETWORK):
        if _MODEL_WORDS.search(asset.name.lower()):
            mark(asset.id, AI_NETWORK, f"name {asset.name!r} names an AI workload")
    for asset in graph.assets(Kind.NAMESPACE):
        _classify_namespace(asset, mark)

    result: dict[str, Classification] = {}
    for asset in graph.assets():
        if matches_any(asset, options.out_of_scope):
            continue
        cats = found.get(asset.id)
        if cats:
            result[asset.id] = Classification(
                frozenset(cats), tuple(why for whys in cats.values() for why in whys))
        elif options.all_assets:
            result[asset.id] = Classification(frozenset({DECLARED}), ("--all-assets",))
    return result


def _classify_store(asset: Asset, graph: EstateGraph, mark: _Mark) -> None:
    for user in graph.sources(asset.id, EdgeKind.STORES_ARTEFACTS_IN):
        mark(asset.id, MODEL_ARTEFACTS, f"{user.id} keeps its model artefacts here")
    for user in graph.sources(asset.id, EdgeKind.READS_DATA_FROM):
        mark(asset.id, TRAINING_DATA, f"{user.id} reads training data from here")
    for key in asset.get("sample_objects", ()) or ():
        lowered = str(key).lower()
        if lowered.endswith(ARTEFACT_SUFFIXES) or lowered.rsplit("/", 1)[-1] in ARTEFACT_NAMES:
            mark(asset.id, MODEL_ARTEFACTS, f"object {key}")
            break
    for key in asset.get("sample_objects", ()) or ():
        if str(key).lower().endswith(TRAINING_SUFFIXES):
            mark(asset.id, TRAINING_DATA, f"object {key}")
            break
    name = asset.name.lower()
    if m := _MODEL_WORDS.search(name):
        mark(asset.id, MODEL_ARTEFACTS, f"name {asset.name!r} contains {m.group(1)!r}")
    if m := _TRAINING_WORDS.search(name):
        mark(asset.id, TRAINING_DATA, f"name {asset.name!r} contains {m.group(1)!r}")
    for key, value in asset.tags.items():
        text = f"{key}={value}".lower()
        if _TAG_KEYS.search(key.lower()) or _MODEL_WORDS.search(key.lower()):
            if m := _MODEL_WORDS.search(text):
                mark(asset.id, MODEL_ARTEFACTS, f"tag {key}={value} mentions {m.group(1)!r}")
            elif m := _TRAINING_WORDS.search(text):
                mark(asset.id, TRAINING_DATA, f"tag {key}={value} mentions {m.group(1)!r}")


def _classify_namespace(asset: Asset, mark: _Mark) -> None:
    if _MODEL_WORDS.search(asset.name.lower()):
        mark(asset.id, AI_NAMESPACE, f"name {asset.name!r} names an AI workload")
    for key, value in dict(asset.get("labels", {}) or {}).items():
        if _MODEL_WORDS.search(f"{key}={value}".lower()):
            mark(asset.id, AI_NAMESPACE, f"label {key}={value}")
