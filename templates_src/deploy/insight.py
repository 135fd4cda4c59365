"""What `plan` says besides the change-set review (issue 16): drift found by the last drift detection,
and what the deploy does to the monthly cost estimate. Read-only; never stops a plan: when it cannot
read what it needs, it says so in one line and the review stands alone."""

from __future__ import annotations

from typing import Any

from ..errors import StackcError
from . import deployed, status


def plan_notes(parts: list[tuple[Any, Any]]) -> list[tuple[str, str]]:
    """(level, line) for each root of the deployment: ("warn", drift) and ("info", cost change).
    `parts`: Deployment.parts() -- (Folder, Aws) pairs."""
    from ..cost import estimate, prices, render, stacks

    notes: list[tuple[str, str]] = []
    table = prices.load()
    before_inputs: list[estimate.StackInput] = []
    after_inputs: list[estimate.StackInput] = []
    for folder, aws in parts:
        target = folder.target
        try:
            live = deployed.read(aws, target.stack_name)
            if live:
                drifted = [s.path for s in status.status(aws, target.stack_name) if s.drift == "DRIFTED"]
                if drifted:
                    notes.append(
                        (
                            "warn",
                            f"drift: {', '.join(drifted)} drifted at the last drift check; a change set over drifted "
                            "resources can fail or revert a manual fix (see `cli.py drift`)",
                        )
                    )
                before_inputs += [estimate.StackInput(folder.region, d.path, d.template, d.parameters) for d in live]
            templates = target.templates()
            values = {p["ParameterKey"]: p["ParameterValue"] for p in target.parameters()}
            children = {lid: (name, templates[name]) for lid, name in target.children().items()}
            after_inputs += stacks.resolve(folder.region, templates["root"], children, values, prefix=f"{folder.name}/")
        except StackcError as exc:
            notes.append(("info", f"cost change and drift check unavailable for {target.stack_name}: {exc}"))
            return notes
        except Exception as exc:  # these notes only add to the review: one that fails says so, the plan goes on
            notes.append(
                (
                    "info",
                    f"cost change and drift check unavailable for {target.stack_name}: {type(exc).__name__}: {exc}",
                )
            )
            return notes
    before = estimate.estimate(before_inputs, table)
    after = estimate.estimate(after_inputs, table)
    notes.append(("info", render.change_line(before, after) + " (`cli.py cost` for the breakdown)"))
    return notes
