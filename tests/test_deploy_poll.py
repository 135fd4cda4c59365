"""The one polling loop (deploy/poll.py) and the one pagination loop (session.pages), and the waits and
reads built on them -- on fake clients, without sleeping and without an endpoint."""

from __future__ import annotations

import pytest

from templates_src.deploy.execute import _events_of, wait_for_stack
from templates_src.deploy.plan import wait_for_change_set
from templates_src.deploy.poll import poll
from templates_src.deploy.session import pages
from templates_src.errors import DeployError


class FakeAws:
    """`aws.client("cloudformation")` answers from scripted responses, one per call, per operation."""

    def __init__(self, **script):
        self.script = {op: list(answers) for op, answers in script.items()}
        self.calls: list[tuple[str, dict]] = []

    def client(self, service):
        return self

    def __getattr__(self, op):
        def call(**kwargs):
            self.calls.append((op, kwargs))
            return self.script[op].pop(0)

        return call


def test_poll_backs_off_up_to_the_cap_and_returns_the_settled_value():
    answers, slept = iter(["busy", "busy", "busy", "busy", "done"]), []
    value = poll(
        lambda: next(answers),
        lambda v: v == "done",
        still=str,
        timeout=100,
        delay=1,
        factor=2,
        max_delay=3,
        sleep=slept.append,
    )
    assert value == "done" and slept == [1, 2, 3, 3]


def test_poll_gives_up_after_the_timeout_naming_the_last_state():
    slept = []
    with pytest.raises(DeployError, match=r"^stack s still UPDATE_IN_PROGRESS after 10s$"):
        poll(
            lambda: "UPDATE_IN_PROGRESS",
            lambda v: False,
            still=lambda v: f"stack s still {v}",
            timeout=10,
            delay=4,
            factor=1,
            sleep=slept.append,
        )
    assert slept == [4, 4, 4]


def test_wait_for_stack_polls_events_on_every_round_until_a_final_status():
    stack = {"StackName": "s", "StackId": "arn:s"}
    aws = FakeAws(
        describe_stacks=[
            {"Stacks": [{**stack, "StackStatus": s}]}
            for s in ("CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE")
        ]
    )
    polled, slept = [], []
    final = wait_for_stack(aws, "arn:s", on_poll=lambda: polled.append(1), sleep=slept.append)
    assert final["StackStatus"] == "CREATE_COMPLETE" and len(polled) == 3 and slept == [0.5, 0.75]


def test_wait_for_change_set_merges_pages_and_times_out_with_its_status():
    page = {"ChangeSetId": "cs", "Status": "CREATE_COMPLETE", "ResponseMetadata": {}}
    aws = FakeAws(
        describe_change_set=[
            {"ChangeSetId": "cs", "Status": "CREATE_PENDING"},
            {**page, "Changes": [{"Type": "Resource", "n": 1}], "NextToken": "t"},
            {**page, "Changes": [{"Type": "Resource", "n": 2}]},
        ]
    )
    slept = []
    done = wait_for_change_set(aws, "cs", sleep=slept.append)
    assert [c["n"] for c in done["Changes"]] == [1, 2] and "NextToken" not in done and "ResponseMetadata" not in done
    assert slept == [0.2] and aws.calls[-1] == (
        "describe_change_set",
        {"ChangeSetName": "cs", "IncludePropertyValues": True, "NextToken": "t"},
    )

    stuck = FakeAws(describe_change_set=[{"ChangeSetId": "cs", "Status": "CREATE_IN_PROGRESS"}] * 10)
    with pytest.raises(DeployError, match=r"change set cs still CREATE_IN_PROGRESS after 1s"):
        wait_for_change_set(stuck, "cs", sleep=lambda s: None, timeout=1)


def test_pages_are_fetched_lazily_and_events_stop_at_the_deploy_start():
    import datetime as dt

    t = [dt.datetime(2026, 1, 1, 0, 0, s, tzinfo=dt.UTC) for s in range(6)]
    event = lambda i: {"EventId": str(i), "Timestamp": t[i]}  # noqa: E731
    aws = FakeAws(
        describe_stack_events=[
            {"StackEvents": [event(5), event(4)], "NextToken": "a"},
            {"StackEvents": [event(3), event(1)], "NextToken": "b"},
            {"StackEvents": [event(0)]},
        ]
    )
    events = _events_of(aws, since=t[2])("arn:s")
    assert [e["EventId"] for e in events] == ["1", "3", "4", "5"]  # the page reaching before `since` is the last read
    assert len(aws.calls) == 2
    assert list(pages(lambda **kw: {"NextToken": None, **kw}, A=1)) == [{"NextToken": None, "A": 1}]
