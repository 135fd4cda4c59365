"""The local AWS endpoint for deploy tests: moto's server on 127.0.0.1, plus a minimal patch.

boto3 talks to it over real HTTP, exactly as the CLI talks to AWS (`--endpoint-url`). What it proves:
the deploy pipeline (package, change sets, execute, events, outputs, destroy) and the nested-stack
wiring. What it does not prove: the data stores (moto skips RDS, ElastiCache, Timestream, ...) or the
change-set details (no Replacement/Details, no nested change sets) -- tests/test_review.py covers
those on realistic DescribeChangeSet fixtures.

The patch (`patch_moto_nested_stacks`) fills the nested-stack gaps listed in ../shared/EMULATOR.md and
nothing else. Each patched behaviour names the moto behaviour it replaces and how AWS behaves. It is
applied in-process before the server thread starts, so it only affects the test server.
"""

from __future__ import annotations

import contextlib
import os
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
# Keep a developer's real profile/config out of the tests.
UNSET_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")

_PATCHED = False


def free_port() -> int:
    """A port nothing listens on right now (bound then released; good enough for a test run)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def patch_moto_nested_stacks() -> None:
    """Fill moto 5.2.5's nested-stack gaps so a root with GetAtt-wired children deploys as on AWS."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.cloudformation import models
    from moto.cloudformation.exceptions import ValidationError

    Stack, Backend, ChangeSet = models.Stack, models.CloudFormationBackend, models.ChangeSet

    # Gap 1. moto: `Fn::GetAtt [ChildStack, Outputs.X]` in a parent -> HTTP 500, because its Stack model
    # has no get_cfn_attribute. AWS: resolves to the value of the child stack's output X.
    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name.startswith("Outputs."):
            key = attribute_name.split(".", 1)[1]
            for output in self.outputs or []:
                if output["OutputKey"] == key:
                    return output["OutputValue"]
            raise ValidationError(self.stack_id, message=f"Template error: stack {self.name} has no output {key!r}")
        raise NotImplementedError(f"Fn::GetAtt {attribute_name} on a nested stack")

    Stack.get_cfn_attribute = get_cfn_attribute

    # Gap 2. moto: ExecuteChangeSet stores the new template text but does not re-parse it, so the stack's
    # Outputs stay `None` (a CREATE change set starts from an empty template) and its parameters stay
    # the ones of the first change set; a change set with no parameters even keeps the old ones and
    # fails if the new template no longer declares them. AWS: after execution the stack has the change
    # set's template, parameters and outputs.
    original_execute = Backend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        pending = self.describe_change_set(change_set_name)
        self.stacks[pending.stack_id].resource_map.input_parameters = dict(pending.parameters)
        original_execute(self, change_set_name, stack_name)
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.parameters = dict(change_set.parameters)
        stack.output_map = stack._create_output_map()

    Backend.execute_change_set = execute_change_set

    # Gap 3. moto: a child stack has no ParentId/RootId, and its PhysicalResourceId in the parent (so
    # also `Ref`) is the child's name. AWS: the child carries ParentId and RootId (stack ARNs), and the
    # parent's PhysicalResourceId for it is the child's stack ARN. An updated child is deleted and
    # re-created by moto (see update_from_cloudformation_json); it keeps its parent.
    Stack.parent_id = None
    Stack.root_id = None
    Stack.physical_resource_id = property(lambda self: self.stack_id)
    original_create = Stack.create_from_cloudformation_json.__func__
    original_update = Stack.update_from_cloudformation_json.__func__

    def _adopt(child: Any, parent_id: str | None, root_id: str | None) -> Any:
        child.parent_id = parent_id
        child.root_id = root_id or parent_id
        return child

    def _parent(account_id: str, region_name: str, stack_id: str | None) -> Any:
        stacks = models.cloudformation_backends[account_id][region_name].stacks
        return stacks.get(stack_id) if stack_id else None

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        child = original_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
        parent = _parent(account_id, region_name, kwargs.get("StackId"))
        if parent is not None:
            _adopt(child, parent.stack_id, parent.root_id)
        return child

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        child = original_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        return _adopt(child, original_resource.parent_id, original_resource.root_id)

    Stack.create_from_cloudformation_json = create_from_cloudformation_json
    Stack.update_from_cloudformation_json = update_from_cloudformation_json

    # Gap 4 (EMULATOR.md "root-parameter-only change shows an empty Changes list"). moto: a change set
    # diffs the Resources sections only, so a change of a root Parameter (an image tag) lists no
    # change although executing it updates the children. AWS: every resource whose properties
    # reference a changed parameter is listed as Modify (for a nested stack: its Parameters).
    # moto's own update path already computes that (build_resource_diff with parameters); reuse it.
    def diff(self: Any) -> list:
        by_action = self.stack.resource_map.build_resource_diff(self.template_dict, self.parameters)
        changes = []
        for action, names in by_action.items():
            for name in names:
                source = (
                    self.template_dict["Resources"]
                    if action != "Remove"
                    else self.stack.resource_map._resource_json_map
                )
                changes.append(
                    models.Change(action=action, logical_resource_id=name, resource_type=source[name]["Type"])
                )
        return changes

    ChangeSet.diff = diff

    # Gap 5 (an intrinsic, not nested stacks; found with the demo's network stack). moto: the argument
    # of `Fn::GetAZs` is used raw, so the canonical `{"Fn::GetAZs": {"Ref": "AWS::Region"}}` yields the
    # zone "{'Ref': 'AWS::Region'}a" and the subnet fails. AWS: the argument is resolved first (a Ref to
    # AWS::Region is the stack's region). Resolve it, then let moto do the rest.
    from moto.cloudformation import parsing

    original_clean_json = parsing.clean_json

    def clean_json(resource_json: Any, resources_map: Any) -> Any:
        if isinstance(resource_json, dict) and isinstance(resource_json.get("Fn::GetAZs"), dict):
            region = original_clean_json(resource_json["Fn::GetAZs"], resources_map)
            resource_json = {**resource_json, "Fn::GetAZs": region}
        return original_clean_json(resource_json, resources_map)

    parsing.clean_json = clean_json

    # Gap 6 (an attribute, found with the demo's load balancer). moto: `Fn::GetAtt [Alb,
    # CanonicalHostedZoneID]` raises NotImplementedError, so the output holds the raw GetAtt dict and
    # DescribeStacks answers HTTP 500. AWS: the load balancer's Route 53 zone ID -- which moto's own
    # model already has (`canonical_hosted_zone_id`, what its DescribeLoadBalancers returns).
    from moto.elbv2.models import FakeLoadBalancer

    original_lb_attribute = FakeLoadBalancer.get_cfn_attribute

    def lb_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == "CanonicalHostedZoneID":
            return self.canonical_hosted_zone_id
        return original_lb_attribute(self, attribute_name)

    FakeLoadBalancer.get_cfn_attribute = lb_attribute

    # Gap 7 (a CREATE change set for a stack under review). moto: every CREATE change set makes a new
    # stack object, so after `plan` (which leaves a REVIEW_IN_PROGRESS stack) a `deploy` creates a second
    # stack of the same name. AWS: the REVIEW_IN_PROGRESS stack is reused (same stack ID).
    original_create_change_set = Backend.create_change_set

    def create_change_set(
        self: Any,
        stack_name: str,
        change_set_name: str,
        template: str,
        parameters: Any,
        description: str,
        change_set_type: str,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[str, str]:
        reviewing = [s for s in self.stacks.values() if s.name == stack_name and s.status == "REVIEW_IN_PROGRESS"]
        if change_set_type != "CREATE" or not reviewing:
            return original_create_change_set(
                self, stack_name, change_set_name, template, parameters, description, change_set_type, *args, **kwargs
            )
        reviewing[0].template = "{}"  # moto keeps the empty template as a dict, which its diff cannot parse
        cs_id, stack_id = original_create_change_set(
            self, stack_name, change_set_name, template, parameters, description, "UPDATE", *args, **kwargs
        )
        self.change_sets[cs_id].change_set_type = "CREATE"
        return cs_id, stack_id

    Backend.create_change_set = create_change_set

    # Gap 8 (deleting a listener rule with its stack). moto: AWS::ElasticLoadBalancingV2::ListenerRule has
    # no delete, so deleting (or, in moto, updating -- delete then re-create) the stack that owns it leaves
    # the rule on its listener, and the re-created rule fails with PriorityInUse. AWS: deleting the stack
    # deletes its rules. Each service's stack owns its listener rules (parts/targets.py).
    from moto.elbv2.models import FakeListenerRule, elbv2_backends

    def delete_rule(self: Any, account_id: str, region_name: str) -> None:
        elbv2_backends[account_id][region_name].delete_rule(self.arn)

    FakeListenerRule.delete = delete_rule
    _PATCHED = True


class Emulator:
    """moto's server on 127.0.0.1:<free port>, in this process, patched; `reset()` between tests."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None

    def start(self) -> Emulator:
        from moto.server import ThreadedMotoServer

        patch_moto_nested_stacks()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


@contextlib.contextmanager
def dummy_credentials() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in (*DUMMY_ENV, *UNSET_ENV)}
    os.environ.update(DUMMY_ENV)
    for k in UNSET_ENV:
        os.environ.pop(k, None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# ------------------------------------------------------------------------------------ pytest fixtures
# Import them into a test module (`from .emulator import emulator, aws_env  # noqa: F401`). The server
# is module-scoped: with `--dist loadfile` each test file runs in one worker, on its own free port.

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request log lines in test output
    emu = Emulator().start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def aws_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A fresh emulator state, dummy credentials, no developer profile."""
    emulator.reset()
    for key, value in DUMMY_ENV.items():
        monkeypatch.setenv(key, value)
    for key in UNSET_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.delenv("STACKC_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return emulator
