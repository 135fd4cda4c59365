"""Bootstrap order: a deploy never starts a task whose image or secret value is missing.

A new system's ECR repositories and empty secrets are created by the same deploy as the services that
read them, so on a first deploy they cannot be filled beforehand. The design: when preflight finds a
service's image or secret missing, that deploy creates everything with the service held at zero tasks
(the root parameters that set its count -- DesiredCount, or MinCapacity/MaxCapacity with auto scaling
-- set to 0 for that deploy only), prints what is missing with the commands that supply it, and exits
4. Once supplied, the next deploy passes the configured counts and the services start. A system whose
images are external and whose secrets are all generated finds nothing missing and goes through at once.

Why holds instead of "registries and secrets first, services after": it needs no second template set
or stack, works for any service (another repository, an SSM parameter, a secret of another system),
and the next deploy is an ordinary update. The holds are `BuiltTarget.held`, apart from the operator's
`--parameter` overrides, so nothing that remembers parameters remembers them.

Holding is refused -- exit 4 before anything changes -- where it could stop something that runs or
would not hold: a service already running (its count parameters are deployed and not 0: holding it
would take it down; supply the input first), or one whose count no root parameter sets (a child
default past the root's budget). A hosted zone, certificate or required parameter that is missing
cannot be waited for either: nothing is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputsMissing
from . import preflight as pf


@dataclass
class Holds:
    """What one deploy holds at zero, and the findings those services wait for."""

    values: dict[str, str] = field(default_factory=dict)  # root parameter -> "0"
    services: list[str] = field(default_factory=list)  # template/logical ID of each held service
    waiting_for: list[pf.Finding] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.services)


def decide(report: pf.Report, deployed: dict[str, str] | None) -> Holds:
    """The holds for this deploy. `deployed`: the live root stack's parameter values (None: no stack).
    Raises InputsMissing when something missing cannot be waited for."""
    cannot: list[str] = []

    def refuse(f: pf.Finding, why: str = "") -> None:
        cannot.append(f.message + (f" ({why})" if why else ""))
        cannot.extend(f"  {c}" for c in f.commands)

    for f in report.of(pf.MISSING):
        if not f.service:
            refuse(f)
    holds = Holds()
    needs = {s.path: s for s in report.requirements.services}
    for path, findings in sorted(report.missing_services().items()):
        service = needs[path]
        running = [p for p in service.count_parameters if deployed and deployed.get(p, "0") != "0"]
        if not service.holdable:
            for f in findings:
                refuse(f, f"{path} cannot be held at zero tasks: {service.why_not_holdable}")
        elif running:
            for f in findings:
                refuse(f, f"{path} is running: holding it at zero would stop it; supply this first")
        else:
            holds.services.append(path)
            holds.values.update({p: "0" for p in service.count_parameters})
            holds.waiting_for += findings
    if cannot:
        raise InputsMissing(cannot, headline="inputs missing (nothing was deployed)")
    return holds


def missing_lines(holds: Holds) -> list[str]:
    """What the held services wait for, each with the commands that supply it."""
    out = []
    for f in holds.waiting_for:
        out.append(f"  {f.message}")
        out += [f"      {c}" for c in f.commands]
    return out
