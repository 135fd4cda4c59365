"""The failure report on realistic DescribeStackEvents sequences across nested stacks.

moto runs change sets synchronously and answers a failing resource with an HTTP 500, not with a
rollback and events, so the diagnosis is tested on recorded-shape sequences, each validated against
botocore's output shape for DescribeStackEvents (tests/aws_shapes.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from templates_src.deploy.execute import diagnose

from .aws_shapes import FIXTURES, load_fixture

EVENTS = sorted(p.name for p in (FIXTURES / "events").glob("*.json"))


def failure_of(name):
    f = load_fixture("events", name)
    pages = f["DescribeStackEvents"]
    since = dt.datetime.fromisoformat(f["since"].replace("Z", "+00:00")) if "since" in f else None
    fetched = []

    def events_of(stack_id):
        fetched.append(stack_id)
        return sorted(pages[stack_id]["StackEvents"], key=lambda e: e["Timestamp"])

    return f, diagnose(f["root"], events_of, f["final_status"], since=since), fetched


@pytest.mark.parametrize("name", EVENTS)
def test_names_the_real_failing_resource_not_the_embedded_stack(name):
    f, failure, fetched = failure_of(name)
    expect = f["expect"]
    assert failure.path == expect["path"]
    assert failure.resource_type == expect["resource_type"]
    assert failure.resource_status == expect["resource_status"]
    assert expect["reason_contains"] in failure.reason
    text = "\n".join(failure.lines(" --system shop --env " + failure.stack.split("-")[1]))
    assert "Embedded stack" not in text and "cancelled" not in text
    assert f"the stack is {f['final_status']}" in text
    assert expect["next_contains"] in text
    assert set(fetched) == set(f["DescribeStackEvents"])  # every nested stack was read, deleted ones too


def test_nested_create_failure_message():
    _, failure, _ = failure_of("nested_create_failed.json")
    assert failure.lines(" --system shop --env dev") == [
        "deploy of shop-dev failed: the stack is ROLLBACK_COMPLETE",
        "first failure: shop-dev/DataStack/OrdersDbCluster (AWS::RDS::DBCluster) CREATE_FAILED: Resource handler "
        'returned message: "Cannot find version 16.1 for aurora-postgresql (Service: Rds, Status Code: 400, Request '
        'ID: 6f1b3c2a-9d8e-4f7a-b6c5-d4e3f2a1b0c9)" (RequestToken: 0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d, '
        "HandlerErrorCode: InvalidRequest)",
        "next: the stack was never created and cannot be updated: fix the cause, run `stackc destroy --system shop "
        "--env dev` and deploy again",
    ]


def test_only_events_of_this_deploy_count():
    f = load_fixture("events", "update_rollback_failed.json")
    pages = f["DescribeStackEvents"]
    root_only = {f["root"]: pages[f["root"]]}  # as if the nested stack's events were unreadable

    def events_of(stack_id):
        return sorted(root_only.get(stack_id, {"StackEvents": []})["StackEvents"], key=lambda e: e["Timestamp"])

    since = dt.datetime.fromisoformat(f["since"].replace("Z", "+00:00"))
    failure = diagnose(f["root"], events_of, f["final_status"], since=since)
    # Falls back to the root's own failure of this deploy, never to the older update's event.
    assert failure.path == "shop-prod/ApiStack"
    assert "2026-11-10" not in failure.reason and "Currently in UPDATE_ROLLBACK_IN_PROGRESS" in failure.reason


def test_no_failed_event_still_says_the_status():
    failure = diagnose("arn:x", lambda _: [], "UPDATE_ROLLBACK_COMPLETE")
    lines = failure.lines()
    assert lines[0].endswith("the stack is UPDATE_ROLLBACK_COMPLETE")
    assert "no failed resource was found" in lines[1]
    assert lines[2].startswith("next: the stack is back at its previous state")


def test_a_child_whose_events_cannot_be_read_does_not_hide_the_report():
    """One nested stack's events are refused (AccessDenied): the report still says the stack state, the
    first failure found in what could be read, and what could not be read -- not just "access denied"."""
    f = load_fixture("events", "nested_create_failed.json")
    pages = f["DescribeStackEvents"]
    root = f["root"]
    denied = next(stack_id for stack_id in pages if stack_id != root and "DataStack" not in stack_id)

    def events_of(stack_id):
        if stack_id == denied:
            raise PermissionError("AccessDenied: not authorized to perform cloudformation:DescribeStackEvents")
        return sorted(pages[stack_id]["StackEvents"], key=lambda e: e["Timestamp"])

    failure = diagnose(root, events_of, f["final_status"])
    text = failure.lines(" --system shop --env dev")
    assert text[0] == "deploy of shop-dev failed: the stack is ROLLBACK_COMPLETE"
    assert text[1].startswith("first failure found so far: shop-dev/DataStack/OrdersDbCluster (AWS::RDS::DBCluster)")
    assert any(line.startswith("could not read the events of shop-dev/") and "AccessDenied" in line for line in text)
    assert text[-1].startswith("next: ")


def test_a_failed_delete_is_reported_as_a_delete():
    f = load_fixture("events", "nested_create_failed.json")
    pages = f["DescribeStackEvents"]
    failure = diagnose(
        f["root"],
        lambda s: sorted(pages[s]["StackEvents"], key=lambda e: e["Timestamp"]),
        "DELETE_FAILED",
        verb="delete",
    )
    lines = failure.lines(" --system shop --env dev")
    assert lines[0] == "delete of shop-dev failed: the stack is DELETE_FAILED"
    assert "run `stackc destroy --system shop --env dev` again" in lines[-1]
