"""EC2: the scan's regions, VPCs and subnets, and the flow logs that watch them.

Mirrors `collect/terraform/aws.py`: a VPC or subnet has `flow_logs` when an active flow log on
it records accepted traffic (ALL or ACCEPT; a REJECT-only log misses an exfiltration); a subnet
is also covered by its VPC's flow log. Ids are ARNs (`arn:aws:ec2:REGION:ACCOUNT:vpc/vpc-...`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crownjewel.collect.aws.common import Scope, add_asset, tags_of, unknown_all
from crownjewel.collect.aws.session import Calls, Recorder, Reply, client
from crownjewel.model.assets import EdgeKind, Kind
from crownjewel.model.graph import GraphBuilder

OPERATIONS: Mapping[str, str] = {
    "DescribeRegions": "ec2:DescribeRegions",
    "DescribeVpcs": "ec2:DescribeVpcs",
    "DescribeSubnets": "ec2:DescribeSubnets",
    "DescribeFlowLogs": "ec2:DescribeFlowLogs",
}


@dataclass(slots=True)
class Ec2Raw:
    """VPCs, subnets and flow logs of one region."""

    vpcs: Reply
    subnets: Reply
    flow_logs: Reply


def enabled_regions(session: Any, home: str, recorder: Recorder) -> Reply:
    """The regions enabled for the account (`DescribeRegions AllRegions=False`)."""
    calls = Calls(client(session, "ec2", home), OPERATIONS, recorder)
    return calls.call("DescribeRegions", AllRegions=False)


def fetch(session: Any, scope: Scope, recorder: Recorder) -> Ec2Raw:
    """VPCs, subnets and flow logs of one region."""
    calls = Calls(client(session, "ec2", scope.region), OPERATIONS, recorder)
    raw = Ec2Raw(calls.pages("DescribeVpcs", "Vpcs"), calls.pages("DescribeSubnets", "Subnets"),
                 calls.pages("DescribeFlowLogs", "FlowLogs"))
    if not raw.vpcs.ok and not raw.subnets.ok:
        recorder.listing_failed(raw.vpcs)
    return raw


def _captures(flow: Mapping[str, Any]) -> bool:
    """An active flow log recording accepted traffic."""
    return flow.get("TrafficType") in ("ALL", "ACCEPT") and flow.get("FlowLogStatus", "ACTIVE") == "ACTIVE"


def normalize(raw: Ec2Raw, scope: Scope, builder: GraphBuilder) -> None:
    """Add NETWORK, SUBNET and FLOW_LOG assets; flow logs MONITOR what they capture."""
    logged: set[str] = set()
    if raw.flow_logs.ok:
        for flow in raw.flow_logs.value:
            if not isinstance(flow, Mapping) or not flow.get("FlowLogId"):
                continue
            target = str(flow.get("ResourceId") or "")
            kind = "vpc" if target.startswith("vpc-") else "subnet" if target.startswith("subnet-") else None
            if _captures(flow):
                logged.add(target)
            me = scope.arn("ec2", f"vpc-flow-log/{flow['FlowLogId']}")
            attrs: dict[str, Any] = {"traffic_type": flow.get("TrafficType"),
                                     "enabled": flow.get("FlowLogStatus", "ACTIVE") == "ACTIVE"}
            if kind:
                attrs["target"] = scope.arn("ec2", f"{kind}/{target}")
                builder.link(me, EdgeKind.MONITORS, attrs["target"])
            elif target:
                attrs["target"] = target
            add_asset(builder, scope, me, Kind.FLOW_LOG, str(flow["FlowLogId"]), "AWS::EC2::FlowLog",
                      attrs, {}, tags_of(flow.get("Tags")))
    if raw.vpcs.ok:
        for vpc in raw.vpcs.value:
            vpc_id = str(vpc.get("VpcId") or "")
            if not vpc_id:
                continue
            attrs = {}
            unknown: dict[str, str] = {}
            if raw.flow_logs.ok:
                attrs["flow_logs"] = vpc_id in logged
            else:
                unknown_all(unknown, ("flow_logs",), raw.flow_logs)
            tags = tags_of(vpc.get("Tags"))
            add_asset(builder, scope, scope.arn("ec2", f"vpc/{vpc_id}"), Kind.NETWORK,
                      tags.get("Name") or vpc_id, "AWS::EC2::VPC", attrs, unknown, tags)
    if raw.subnets.ok:
        for subnet in raw.subnets.value:
            subnet_id = str(subnet.get("SubnetId") or "")
            if not subnet_id:
                continue
            me = scope.arn("ec2", f"subnet/{subnet_id}")
            attrs, unknown = {}, {}
            vpc_id = str(subnet.get("VpcId") or "")
            if vpc_id:
                attrs["network"] = scope.arn("ec2", f"vpc/{vpc_id}")
                builder.link(me, EdgeKind.IN_NETWORK, attrs["network"])
            if raw.flow_logs.ok:
                attrs["flow_logs"] = subnet_id in logged or vpc_id in logged
            else:
                unknown_all(unknown, ("flow_logs",), raw.flow_logs)
            tags = tags_of(subnet.get("Tags"))
            add_asset(builder, scope, me, Kind.SUBNET, tags.get("Name") or subnet_id, "AWS::EC2::Subnet",
                      attrs, unknown, tags)
