"""Drift of a deployed system, root and every nested stack, as one tree with property differences.

Two halves: `detect` talks to CloudFormation (DetectStackDrift on each stack, DescribeStackDriftDetectionStatus
until done, DescribeStackResourceDrifts for what moved); `build_report` and the renderers are pure: the
responses exactly as boto3 returns them in, a `DriftReport` out (so they are tested on fixtures validated
against botocore's shapes: moto implements no drift detection)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DeployError
from .session import Aws, client_error_code, pages, translates_aws_errors
from .status import walk_stacks

JSON_VERSION = 1
SHOWN = ("MODIFIED", "DELETED")  # resource drift statuses worth a line (IN_SYNC / NOT_CHECKED are counted)


@dataclass(frozen=True)
class PropertyDrift:
    path: str  # "/BackupRetentionPeriod", "/Tags/1/Value"
    expected: Any
    actual: Any
    kind: str  # ADD | REMOVE | NOT_EQUAL


@dataclass(frozen=True)
class ResourceDrift:
    logical_id: str
    resource_type: str
    physical_id: str
    status: str  # MODIFIED | DELETED | ...
    properties: tuple[PropertyDrift, ...] = ()


@dataclass(frozen=True)
class StackDrift:
    path: str  # "shop-prod", "shop-prod/DataStack"
    status: str  # DRIFTED | IN_SYNC | UNKNOWN | NOT_CHECKED | FAILED
    reason: str = ""  # DetectionStatusReason (a detection that failed, or resources it could not check)
    checked_at: str = ""
    resources: tuple[ResourceDrift, ...] = ()
    # Resources compared, and resources of a type drift detection does not support (StackResourceDriftStatus
    # NOT_CHECKED in ListStackResources): an IN_SYNC verdict covers only the first. None when not read.
    checked: int | None = None
    not_checked: int | None = None


@dataclass(frozen=True)
class DriftReport:
    stack_name: str
    region: str
    stacks: tuple[StackDrift, ...] = field(default_factory=tuple)

    @property
    def drifted(self) -> bool:
        return any(s.status == "DRIFTED" for s in self.stacks)

    @property
    def drifted_resources(self) -> int:
        return sum(len(s.resources) for s in self.stacks)


def _value(text: Any) -> Any:
    """Expected/ActualValue are JSON text; show the value, not its quoting."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def coverage(resource_pages: list[dict[str, Any]]) -> tuple[int, int]:
    """(checked, not checked) from ListStackResources pages: each summary's DriftInformation after a detection."""
    statuses = [
        (item.get("DriftInformation") or {}).get("StackResourceDriftStatus", "NOT_CHECKED")
        for page in resource_pages
        for item in page.get("StackResourceSummaries") or []
    ]
    unchecked = sum(1 for status in statuses if status == "NOT_CHECKED")
    return len(statuses) - unchecked, unchecked


def build_report(
    stack_name: str,
    region: str,
    results: list[tuple[str, dict[str, Any], list[dict[str, Any]]]],
    resource_pages: dict[str, list[dict[str, Any]]] | None = None,
) -> DriftReport:
    """results: (path, DescribeStackDriftDetectionStatus response, DescribeStackResourceDrifts pages) per stack;
    resource_pages: ListStackResources pages per stack path, when read (for how many resources were checked)."""
    stacks = []
    for path, status, drift_pages in results:
        resources = []
        for page in drift_pages:
            for item in page.get("StackResourceDrifts") or []:
                if item.get("StackResourceDriftStatus") not in SHOWN:
                    continue
                props = tuple(
                    PropertyDrift(
                        d["PropertyPath"],
                        _value(d.get("ExpectedValue")),
                        _value(d.get("ActualValue")),
                        d["DifferenceType"],
                    )
                    for d in item.get("PropertyDifferences") or []
                )
                resources.append(
                    ResourceDrift(
                        item["LogicalResourceId"],
                        item["ResourceType"],
                        item.get("PhysicalResourceId", ""),
                        item["StackResourceDriftStatus"],
                        props,
                    )
                )
        detection = status.get("DetectionStatus", "")
        state = (
            "FAILED" if detection == "DETECTION_FAILED" and not resources else status.get("StackDriftStatus", "UNKNOWN")
        )
        stamp: Any = status.get("Timestamp")  # a datetime from boto3, an ISO string in a JSON file
        counted = coverage(resource_pages[path]) if resource_pages and path in resource_pages else (None, None)
        stacks.append(
            StackDrift(
                path,
                state,
                status.get("DetectionStatusReason", "") or "",
                stamp.isoformat() if hasattr(stamp, "isoformat") else str(stamp or ""),
                tuple(sorted(resources, key=lambda r: r.logical_id)),
                *counted,
            )
        )
    return DriftReport(stack_name, region, tuple(stacks))


# ------------------------------------------------------------------------------------------------ render


def _show(value: Any, width: int = 60) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":")) if not isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def render_text(report: DriftReport) -> str:
    verdict = (
        f"DRIFTED: {report.drifted_resources} resource(s) in {sum(1 for s in report.stacks if s.resources)} stack(s)"
        if report.drifted
        else "in sync"
    )
    known = [s for s in report.stacks if s.checked is not None]
    if known:
        checked, unchecked = sum(s.checked or 0 for s in known), sum(s.not_checked or 0 for s in known)
        verdict += f"; {checked} resource(s) checked, {unchecked} not checked (types drift detection does not support)"
    out = [f"drift of {report.stack_name} ({report.region}): {verdict}"]
    for i, stack in enumerate(report.stacks):
        depth = stack.path.count("/")
        name = stack.path.rsplit("/", 1)[-1]
        branch = "" if depth == 0 else "  " * (depth - 1) + ("└─ " if i == len(report.stacks) - 1 else "├─ ")
        reason = f" ({stack.reason})" if stack.reason else ""
        counted = f"  [{stack.checked} checked, {stack.not_checked} not checked]" if stack.checked is not None else ""
        out.append(f"{branch}{name}  {stack.status}{reason}{counted}")
        # a resource under a child that has siblings below it continues the tree's vertical line
        pad = "   " if depth == 0 else "  " * (depth - 1) + ("     " if i == len(report.stacks) - 1 else "│    ")
        for res in stack.resources:
            sign = "-" if res.status == "DELETED" else "~"
            out.append(f"{pad}{sign} {res.logical_id} ({res.resource_type}) {res.status}")
            for prop in res.properties:
                if prop.kind == "ADD":
                    what = f"added outside CloudFormation: {_show(prop.actual)}"
                elif prop.kind == "REMOVE":
                    what = f"removed outside CloudFormation (expected {_show(prop.expected)})"
                else:
                    what = f"expected {_show(prop.expected)}, actual {_show(prop.actual)}"
                out.append(f"{pad}    {prop.path}: {what}")
    if report.drifted:
        out.append(
            "a deploy over drifted resources can fail, or silently revert the manual change: "
            "put the change into params, or undo it, before deploying"
        )
    return "\n".join(out) + "\n"


def to_json(reports: list[DriftReport]) -> str:
    data = {
        "version": JSON_VERSION,
        "drifted": any(r.drifted for r in reports),
        "roots": [
            {
                "stack": r.stack_name,
                "region": r.region,
                "drifted": r.drifted,
                "stacks": [
                    {
                        "path": s.path,
                        "status": s.status,
                        "reason": s.reason,
                        "checked_at": s.checked_at,
                        "resources_checked": s.checked,
                        "resources_not_checked": s.not_checked,
                        "resources": [
                            {
                                "logical_id": x.logical_id,
                                "type": x.resource_type,
                                "physical_id": x.physical_id,
                                "status": x.status,
                                "properties": [
                                    {"path": p.path, "expected": p.expected, "actual": p.actual, "difference": p.kind}
                                    for p in x.properties
                                ],
                            }
                            for x in s.resources
                        ],
                    }
                    for s in r.stacks
                ],
            }
            for r in reports
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


# ------------------------------------------------------------------------------------------------ detect


@translates_aws_errors
def detect(
    aws: Aws,
    stack_name: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 900.0,
    on_poll: Callable[[], None] = lambda: None,
) -> DriftReport:
    """Start a detection on the root and every nested stack at once, wait for all, read the drifts."""
    cfn = aws.client("cloudformation")
    stacks: list[tuple[str, str]] = []  # (path, stack id)

    def visit(stack: dict[str, Any], path: str) -> bool:
        if stack["StackStatus"] in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS"):
            return False
        stacks.append((path, stack["StackId"]))
        return True

    walk_stacks(aws, stack_name, visit)
    started: list[tuple[str, str, str]] = []
    for path, stack_id in stacks:
        try:
            started.append((path, stack_id, cfn.detect_stack_drift(StackName=stack_id)["StackDriftDetectionId"]))
        except Exception as exc:  # moto answers DetectStackDrift with an HTML 500 page (ResponseParserError)
            if (
                client_error_code(exc) in ("NotImplemented", "InvalidAction")
                or type(exc).__name__ == "ResponseParserError"
            ):
                raise DeployError(
                    f"this endpoint does not implement drift detection (DetectStackDrift on {path}); "
                    "run `drift` against AWS"
                ) from None
            raise
    results = []
    resource_pages: dict[str, list[dict[str, Any]]] = {}
    waited = 0.0
    for path, stack_id, detection_id in started:
        while True:
            status = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection_id)
            if status.get("DetectionStatus") != "DETECTION_IN_PROGRESS":
                break
            if waited >= timeout:
                raise DeployError(
                    f"drift detection of {path} still running after {timeout:.0f}s; run `drift` again later"
                )
            on_poll()
            sleep(5.0)
            waited += 5.0
        drift_pages = list(pages(cfn.describe_stack_resource_drifts, StackName=stack_id))
        results.append((path, status, drift_pages))
        resource_pages[path] = list(pages(cfn.list_stack_resources, StackName=stack_id))
    return build_report(stack_name, aws.region, results, resource_pages)


def last_known(states: list[Any]) -> list[str]:
    """From `status.status` (each stack's DriftInformation): the stacks the last detection found drifted."""
    return [s.path for s in states if getattr(s, "drift", "") == "DRIFTED"]
