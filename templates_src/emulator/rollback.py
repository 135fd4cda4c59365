"""A failed create rolls back, as CloudFormation does.

moto: when a resource fails while ExecuteChangeSet creates a stack, the call itself fails (HTTP 400/500
with the resource's error), the stack stays REVIEW_IN_PROGRESS with every resource created so far, no
event says what failed, and DisableRollback is ignored. AWS: ExecuteChangeSet succeeds and the create
goes on asynchronously; the failed resource gets a CREATE_FAILED event with its reason, the stack goes
ROLLBACK_IN_PROGRESS ("The following resource(s) failed to create: [X]. Rollback requested by user."),
deletes what this operation created, newest first -- `DeletionPolicy: Retain` resources are kept
(DELETE_SKIPPED), `RetainExceptOnCreate` ones are deleted (the operation that created them rolls back),
and with ExecuteChangeSet's `RetainExceptOnCreate=True` Retain ones too -- and ends ROLLBACK_COMPLETE.
A nested stack whose resource fails is CREATE_FAILED; its parent's resource for it is CREATE_FAILED with
"Embedded stack <arn> was not successfully created: ..."; the root's rollback deletes every nested stack
it created (the failed one included), each DELETE_COMPLETE. With `DisableRollback=True` the stack stays
CREATE_FAILED and everything created so far stays in place, for a later DeleteStack (which keeps
RetainExceptOnCreate resources: that is no longer the operation that created them).

An update that fails (moto: the error is ExecuteChangeSet's answer, the stack half updated) is rolled back
too: the failed resource's CREATE_FAILED/UPDATE_FAILED event (a nested stack: "Embedded stack ... was not
successfully updated"), UPDATE_ROLLBACK_IN_PROGRESS, the previous template and parameters put back --
what the update created is deleted, RetainExceptOnCreate included -- and UPDATE_ROLLBACK_COMPLETE
(UPDATE_ROLLBACK_FAILED if that fails; DisableRollback: UPDATE_FAILED as it is). Three moto habits are
corrected on the way, for every update: a resource an update removes leaves the stack's map (moto kept it,
so re-adding that logical ID created nothing), and a type moto cannot update stays in the stack (moto
dropped it, and every GetAtt of it failed); and what an update removes is deleted after its adds and
modifies succeeded (moto deleted it first), as AWS's cleanup does -- so a failed update never deleted it.
Not like AWS: moto applies Adds before Modifies, not in dependency order; a nested stack cleans up at the
end of its own update, not of the root's.

A successful create or update still records stack events only (moto); resource events are written for
the failure and the rollback, which is what a failure report reads. CreateStack (stackc uses change sets)
keeps moto's behaviour.
"""

from __future__ import annotations

import datetime as dt
import threading
import warnings
from typing import Any

_APPLIED = False
# ResourceMap attribute: logical IDs in the order this create made them (dependencies before dependents).
CREATED = "_stackc_created"
# ResourceMap attribute: logical ID -> (execution, exception) of a resource whose update failed.
FAILED = "_stackc_failed"
# Exception attribute: (stack ID, logical IDs) of the resource(s) whose failure it already reports.
REPORTED = "_stackc_reported"

# While a failed create or update is rolled back: "rolling_back" (True), and "keep_retained" (False when
# ExecuteChangeSet said RetainExceptOnCreate=True: Retain resources the create made are deleted too);
# "operation": the execution going on (a resource that failed in it fails again at once on moto's retry).
_state = threading.local()


def rolling_back_create() -> bool:
    """True while the emulator undoes a failed create or update (deleting what that operation made)."""
    return bool(getattr(_state, "rolling_back", False))


def kept_on_delete(policy: str | None) -> bool:
    """Whether a resource with this DeletionPolicy survives the delete going on now: Retain always (but in a
    rollback asked to delete them), RetainExceptOnCreate except in the rollback of the create that made it."""
    if policy == "Retain":
        return not rolling_back_create() or getattr(_state, "keep_retained", True)
    return policy == "RetainExceptOnCreate" and not rolling_back_create()


def apply() -> None:
    global _APPLIED
    if _APPLIED:
        return
    from moto.cloudformation import models, parsing
    from moto.cloudformation.responses import CloudFormationResponse

    from .patches import replace

    original_create_resource = parsing.parse_and_create_resource

    # Record what each create makes, in order, and the CREATE_FAILED event of the resource that fails
    # (once: a resource created lazily while resolving another one's Ref reports its own failure).
    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        try:
            resource = original_create_resource(logical_id, resource_json, resources_map, account_id, region_name)
        except Exception as exc:
            _report(exc, logical_id, resource_json, resources_map, account_id, region_name)
            raise
        if resource is not None:
            created = resources_map.__dict__.setdefault(CREATED, [])
            if logical_id not in created:
                created.append(logical_id)
        return resource

    replace(parsing, "parse_and_create_resource", parse_and_create_resource)

    # A nested stack's create (moto: Stack.create_resources inside the parent's create) that fails marks
    # the nested stack CREATE_FAILED with AWS's reason before the failure reaches the parent.
    original_create_resources = models.Stack.create_resources

    def create_resources(self: Any) -> None:
        try:
            original_create_resources(self)
        except Exception as exc:
            self.status = "CREATE_FAILED"
            _no_outputs(self)
            self._add_stack_event("CREATE_FAILED", resource_status_reason=_failed_to_create(exc, self.stack_id))
            exc.__dict__["_stackc_failed_stack"] = self
            raise

    replace(models.Stack, "create_resources", create_resources)

    # An update: the resource whose update fails gets UPDATE_FAILED (a nested stack: "Embedded stack ... was
    # not successfully updated"), once. moto retries a failed Modify up to five times within one update, and a
    # nested stack's retry would find nothing left to add and succeed: within one execution a resource that
    # failed fails again at once.
    original_update_resource = parsing.parse_and_update_resource

    def parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name):
        if (id(resources_map), logical_id) in getattr(_state, "untouched", frozenset()):
            return resources_map._parsed_resources.get(logical_id)  # removed by this update: not changed first
        failed = resources_map.__dict__.setdefault(FAILED, {})
        earlier = failed.get(logical_id)
        if earlier is not None and earlier[0] is getattr(_state, "operation", None) is not None:
            raise earlier[1]
        try:
            updated = original_update_resource(logical_id, resource_json, resources_map, account_id, region_name)
        except Exception as exc:
            _report(exc, logical_id, resource_json, resources_map, account_id, region_name, "UPDATE_FAILED")
            failed[logical_id] = (getattr(_state, "operation", None), exc)
            raise
        if updated is None:
            # moto: a type without an update (a load balancer whose security group changed) comes back as
            # None and drops out of the stack -- its GetAtts then fail. AWS: the resource stays; here as it is.
            return resources_map._parsed_resources.get(logical_id)
        return updated

    replace(parsing, "parse_and_update_resource", parse_and_update_resource)

    # moto: an update deletes what it removes first, then adds and modifies; a removed resource stays in the
    # stack's map, so adding it back later (or the rollback of that update) finds the old object and creates
    # nothing. AWS: new and changed resources first, what the template no longer has is deleted in the cleanup
    # after they succeeded (so a failed update never deleted it), and it is gone from the stack. Here: one
    # update with the removed resources still in the template (adds and modifies), then one without them.
    original_map_update = parsing.ResourceMap.update

    def map_update(self: Any, template: dict[str, Any], parameters: Any = None) -> None:
        new = template.get("Resources") or {}
        made = self._parsed_resources
        removed = {k: v for k, v in self._resource_json_map.items() if k not in new and made.get(k) is not None}
        outer: frozenset[tuple[int, str]] = getattr(_state, "untouched", frozenset())
        try:
            if removed:  # what goes is left as it is meanwhile (moto would update it as a dependent)
                _state.untouched = outer | {(id(self), k) for k in removed}
                try:
                    original_map_update(self, {**template, "Resources": {**new, **removed}}, parameters)
                finally:
                    _state.untouched = outer
            original_map_update(self, template, parameters)  # (only the cleanup, when something was removed)
        finally:
            _forget_removed(self)

    replace(parsing.ResourceMap, "update", map_update)

    original_stack_update = models.Stack.update

    def stack_update(self: Any, *args: Any, **kwargs: Any) -> None:
        try:
            original_stack_update(self, *args, **kwargs)
        except Exception as exc:
            self.status = "UPDATE_FAILED"
            reported = getattr(exc, REPORTED, None)
            names = reported[1] if reported and reported[0] == self.stack_id else []
            self._add_stack_event(
                "UPDATE_FAILED", resource_status_reason=f"The following resource(s) failed: [{', '.join(names)}]. "
            )
            exc.__dict__["_stackc_failed_stack"] = self
            self._stackc_update_failed = True
            raise

    replace(models.Stack, "update", stack_update)

    # ExecuteChangeSet's DisableRollback and RetainExceptOnCreate (moto reads neither).
    original_response = CloudFormationResponse.execute_change_set

    def execute_change_set_response(self: Any) -> Any:
        change_set = self.cloudformation_backend.describe_change_set(self._get_param("ChangeSetName"))
        change_set.disable_rollback = _flag(self._get_param("DisableRollback"))
        change_set.retain_except_on_create = _flag(self._get_param("RetainExceptOnCreate"))
        return original_response(self)

    replace(CloudFormationResponse, "execute_change_set", execute_change_set_response)

    Backend = models.CloudFormationBackend
    original_execute = Backend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks[change_set.stack_id]
        before = (stack.template_dict, dict(stack.resource_map.input_parameters or {}))
        _state.operation = object()  # this execution (what a failed resource's retry is compared with)
        try:
            original_execute(self, change_set_name, stack_name)
        except Exception as exc:
            if change_set.change_set_type == "CREATE":
                _fail_create(self, change_set, exc)
            else:
                _fail_update(stack, change_set, exc, *before)
        finally:
            _state.operation = None

    replace(Backend, "execute_change_set", execute_change_set)
    _APPLIED = True


def _flag(value: Any) -> bool:
    return value in (True, "true", "True")


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    code = getattr(exc, "error_type", None) or getattr(exc, "code", None)
    return f"{message} ({code})" if isinstance(code, str) and code else str(message)


def _failed_to_create(exc: BaseException, stack_id: str) -> str:
    reported = getattr(exc, REPORTED, None)
    names = reported[1] if reported and reported[0] == stack_id else []
    return f"The following resource(s) failed to create: [{', '.join(names)}]. "


def _stack(account_id: str, region_name: str, stack_id: str) -> Any:
    from moto.cloudformation.models import cloudformation_backends

    backend = cloudformation_backends[account_id][region_name]
    return backend.stacks.get(stack_id) or backend.deleted_stacks.get(stack_id)


def _event(stack: Any, logical_id: str, physical_id: str, rtype: str, status: str, reason: str | None = None) -> None:
    """A resource event, after every earlier one (moto's clock may repeat a millisecond)."""
    from moto.cloudformation.models import Event

    event = Event(stack.stack_id, stack.name, logical_id, physical_id, rtype, status, reason, None)
    if stack.events and event.timestamp <= stack.events[-1].timestamp:
        event.timestamp = stack.events[-1].timestamp + dt.timedelta(milliseconds=1)
    event.sendToSns(stack.account_id, stack.region_name, stack.notification_arns)
    stack.events.append(event)


def _stack_event(stack: Any, status: str, reason: str | None = None) -> None:
    _event(stack, stack.name, stack.stack_id, "AWS::CloudFormation::Stack", status, reason)


def _report(
    exc: Exception,
    logical_id: str,
    resource_json: Any,
    resources_map: Any,
    account: str,
    region: str,
    status: str = "CREATE_FAILED",
) -> None:
    stack_id = resources_map.stack_id
    reported = getattr(exc, REPORTED, None)
    if reported and reported[0] == stack_id:
        return  # a dependency created inside this resource's create failed; it said so
    stack = _stack(account, region, stack_id)
    if stack is None:
        return
    rtype = resource_json.get("Type", "")
    child = exc.__dict__.get("_stackc_failed_stack")
    if child is not None and reported and reported[0] == child.stack_id:
        # A nested stack failed: the parent's resource for it, and the failed stack kept in the parent
        # (it exists, with what it created) so the parent's rollback or a later delete deletes it.
        verb = "created" if status == "CREATE_FAILED" else "updated"
        reason = (
            f"Embedded stack {child.stack_id} was not successfully {verb}: {_failed_to_create(exc, child.stack_id)}"
        )
        _event(stack, logical_id, child.stack_id, rtype, status, reason)
        resources_map._parsed_resources[logical_id] = child
        child.logical_resource_id, child.cf_resource_type = logical_id, rtype
        child.parent_id = child.parent_id or stack.stack_id
        child.root_id = child.root_id or stack.root_id or stack.stack_id
        created = resources_map.__dict__.setdefault(CREATED, [])
        if logical_id not in created:
            created.append(logical_id)
    else:
        physical = str(getattr(resources_map._parsed_resources.get(logical_id), "physical_resource_id", "") or "")
        _event(stack, logical_id, physical if status != "CREATE_FAILED" else "", rtype, status, _reason(exc))
    exc.__dict__[REPORTED] = (stack_id, [logical_id])


def _fail_create(backend: Any, change_set: Any, exc: Exception) -> None:
    """The root's create failed: roll it back (or, DisableRollback, leave it), as AWS does."""
    stack = backend.stacks[change_set.stack_id]
    stack.template = change_set.template
    stack._parse_template()
    stack.description = stack.template_dict.get("Description")
    change_set.execution_status = "EXECUTE_FAILED"
    _no_outputs(stack)
    reason = _failed_to_create(exc, stack.stack_id)
    if getattr(change_set, "disable_rollback", False):
        stack.status = "CREATE_FAILED"
        _stack_event(stack, "CREATE_FAILED", reason)
        _forget_uncreated_everywhere(stack)
        return
    stack.status = "ROLLBACK_IN_PROGRESS"
    _stack_event(stack, "ROLLBACK_IN_PROGRESS", reason + "Rollback requested by user.")
    keep_retained = not getattr(change_set, "retain_except_on_create", False)
    failed = _roll_back(backend, stack, keep_retained)
    stack.status = "ROLLBACK_FAILED" if failed else "ROLLBACK_COMPLETE"
    _stack_event(
        stack, stack.status, f"The following resource(s) failed to delete: [{', '.join(failed)}]. " if failed else None
    )


def _fail_update(stack: Any, change_set: Any, exc: Exception, template: Any, parameters: Any) -> None:
    """An update failed: put the previous template and parameters back (UPDATE_ROLLBACK_*), as AWS does.
    What this update created is deleted again -- RetainExceptOnCreate too (the operation that made it rolls
    back); with DisableRollback the stack stays UPDATE_FAILED as it is. (moto deleted what the update removes
    before the failure, so such a resource comes back as a new one: AWS would delete it only after success.)"""
    change_set.execution_status = "EXECUTE_FAILED"
    reported = getattr(exc, REPORTED, None)
    names = reported[1] if reported and reported[0] == stack.stack_id else []
    reason = f"The following resource(s) failed to update: [{', '.join(names)}]. "
    if getattr(change_set, "disable_rollback", False):
        stack.status = "UPDATE_FAILED"
        _stack_event(stack, "UPDATE_FAILED", reason)
        return
    stack.status = "UPDATE_ROLLBACK_IN_PROGRESS"
    _stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
    outer = rolling_back_create(), getattr(_state, "keep_retained", True), getattr(_state, "operation", None)
    _state.rolling_back, _state.keep_retained, _state.operation = True, True, object()
    try:
        with warnings.catch_warnings():  # moto's "Unable to delete X, as it was never created": expected here
            warnings.simplefilter("ignore", UserWarning)
            stack.resource_map.update(template, parameters)
    except Exception as again:
        stack.status = "UPDATE_ROLLBACK_FAILED"
        _stack_event(stack, "UPDATE_ROLLBACK_FAILED", _reason(again))
        return
    finally:
        _state.rolling_back, _state.keep_retained, _state.operation = outer
    stack.output_map = stack._create_output_map()
    _rolled_back_children(stack)
    stack.status = "UPDATE_ROLLBACK_COMPLETE"
    _stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")


def _rolled_back_children(stack: Any) -> None:
    """A nested stack whose update failed, now back at its previous template: UPDATE_ROLLBACK_COMPLETE."""
    for child in _nested(stack):
        if getattr(child, "_stackc_update_failed", False):
            child._stackc_update_failed = False
            child.status = "UPDATE_ROLLBACK_COMPLETE"
            _stack_event(child, "UPDATE_ROLLBACK_COMPLETE")
        _rolled_back_children(child)


def _forget_removed(resource_map: Any) -> None:
    from moto.core.common_models import CloudFormationModel

    from .providers.base import Provider

    for logical_id, resource in list(resource_map._parsed_resources.items()):
        made = isinstance(resource, CloudFormationModel | Provider)  # (not a parameter, mapping or pseudo value)
        if made and logical_id not in resource_map._resource_json_map:
            del resource_map._parsed_resources[logical_id]


def _nested(stack: Any) -> list[Any]:
    from moto.cloudformation.models import Stack

    return [r for r in stack.resource_map._parsed_resources.values() if isinstance(r, Stack) and r is not stack]


def _no_outputs(stack: Any) -> None:
    """A stack whose create failed has no outputs (moto would evaluate them, naming resources never made)."""
    from moto.cloudformation.parsing import OutputMap

    stack.output_map = OutputMap(stack.resource_map, {"Outputs": {}}, stack.stack_id)


def _forget_uncreated(resource_map: Any) -> None:
    """Only what was created stays in the stack: moto's resource map would create the rest the moment
    anything lists the stack's resources (its map creates a resource on first read)."""
    created = resource_map.__dict__.get(CREATED, [])
    resource_map._resource_json_map = {
        lid: body for lid, body in resource_map._resource_json_map.items() if lid in created
    }


def _forget_uncreated_everywhere(stack: Any) -> None:
    from moto.cloudformation.models import Stack

    _forget_uncreated(stack.resource_map)
    for resource in list(stack.resource_map._parsed_resources.values()):
        if isinstance(resource, Stack) and resource is not stack:
            _forget_uncreated_everywhere(resource)


def _roll_back(backend: Any, stack: Any, keep_retained: bool) -> list[str]:
    """Delete what this create made, newest first (nested stacks with everything in them); the logical
    IDs that could not be deleted."""
    from moto.cloudformation.models import Stack

    resource_map = stack.resource_map
    created = list(resource_map.__dict__.get(CREATED, []))
    kept: list[str] = []
    failed: list[str] = []
    pending = list(reversed(created))
    outer = rolling_back_create(), getattr(_state, "keep_retained", True)  # (nested stacks roll back inside it)
    _state.rolling_back, _state.keep_retained = True, keep_retained
    try:
        for attempt in (1, 2):  # a second pass for what a dependency violation stopped the first time
            retry = []
            for logical_id in pending:
                resource = resource_map._parsed_resources.get(logical_id)
                body = resource_map._resource_json_map.get(logical_id) or {}
                rtype = body.get("Type", "")
                physical = str(getattr(resource, "physical_resource_id", "") or "")
                if body.get("DeletionPolicy") == "Retain" and keep_retained:
                    _event(stack, logical_id, physical, rtype, "DELETE_SKIPPED")
                    kept.append(logical_id)
                    continue
                if attempt == 1:
                    _event(stack, logical_id, physical, rtype, "DELETE_IN_PROGRESS")
                try:
                    if isinstance(resource, Stack):
                        _delete_nested(backend, resource, keep_retained)
                    elif resource is not None:
                        resource_map._delete_resource(resource, body)
                except Exception as exc:
                    if attempt == 1:
                        retry.append(logical_id)
                    else:
                        _event(stack, logical_id, physical, rtype, "DELETE_FAILED", _reason(exc))
                        failed.append(logical_id)
                        kept.append(logical_id)
                    continue
                resource_map._parsed_resources.pop(logical_id, None)
                _event(stack, logical_id, physical, rtype, "DELETE_COMPLETE")
            pending = retry
    finally:
        _state.rolling_back, _state.keep_retained = outer
    resource_map.__dict__[CREATED] = [lid for lid in created if lid in kept]
    _forget_uncreated(resource_map)
    return failed


def _delete_nested(backend: Any, child: Any, keep_retained: bool) -> None:
    """A nested stack this create made is deleted with its parent's rollback: DELETE_COMPLETE, with
    everything it made deleted but what Retain keeps."""
    child.status = "DELETE_IN_PROGRESS"
    _stack_event(child, "DELETE_IN_PROGRESS", "Parent stack rollback")
    failed = _roll_back(backend, child, keep_retained)
    if failed:
        child.status = "DELETE_FAILED"
        _stack_event(child, "DELETE_FAILED", f"The following resource(s) failed to delete: [{', '.join(failed)}]. ")
        raise RuntimeError(f"nested stack {child.name} could not delete {', '.join(failed)}")
    child.status = "DELETE_COMPLETE"
    _stack_event(child, "DELETE_COMPLETE")
    for name in [n for n, e in backend.exports.items() if e.exporting_stack_id == child.stack_id]:
        backend.exports.pop(name)  # (its outputs are not evaluated: they name resources now gone)
    if backend.stacks.pop(child.stack_id, None) is not None:
        backend.deleted_stacks[child.stack_id] = child
