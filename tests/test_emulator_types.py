"""The emulator's type table (templates_src/emulator/types.py) is complete, honest and in the README.

- every resource type a build of any params/ file (and of the messaging stores' and scheduled tasks' examples) emits has a
  row (a new type needs one: native, provider or placeholder -- decided, not defaulted);
- a row says "provider" exactly when a provider backed by moto's API is registered for the type, and
  "placeholder" exactly when the registered provider is a placeholder; "moto native" types are in moto's
  own model map;
- the README's table is generated from it.
"""

from __future__ import annotations

import json

from templates_src import compiler
from templates_src.config.load import Target
from templates_src.emulator import providers, types
from templates_src.emulator.providers.placeholders import Placeholder

from .helpers import PARAMS_DIR, PROJECT_ROOT, write_params
from .test_schedules import SYSTEM as SCHEDULES
from .test_stores_messaging import SYSTEM as MESSAGING


def emitted_types(tmp_path) -> dict[str, set[str]]:
    """Types in a build of every params/ file, and of the messaging stores' example (queues, topics, tables)."""
    write_params(tmp_path / "extra", "messaging", MESSAGING)
    write_params(tmp_path / "extra", "schedules", SCHEDULES)
    targets = [
        (PARAMS_DIR, d.name, f.stem)
        for d in sorted(PARAMS_DIR.iterdir())
        if d.is_dir()
        for f in sorted(d.glob("*.yaml"))
        if not f.name.startswith("_")
    ]
    targets += [(tmp_path / "extra", "messaging", "dev"), (tmp_path / "extra", "schedules", "dev")]
    found: dict[str, set[str]] = {}
    for params, system, env in targets:
        compiled = compiler.compile_target(Target(system, env, params))
        out = tmp_path / "out" / system / env
        compiler.write(compiled, out)
        for path in out.rglob("*.json"):
            if path.name in ("manifest.json", "parameters.json"):
                continue
            for resource in json.loads(path.read_text()).get("Resources", {}).values():
                found.setdefault(resource["Type"], set()).add(f"{system}/{env}")
    return found


def test_every_emitted_type_has_a_row(tmp_path):
    emitted = emitted_types(tmp_path)
    missing = {t: sorted(where) for t, where in emitted.items() if t not in types.BY_TYPE}
    assert not missing, (
        f"resource types without a row in templates_src/emulator/types.py: {missing} -- add one (moto native, "
        "a provider backed by moto's API for the service, or a placeholder) and regenerate the README table"
    )
    assert len(types.BY_TYPE) == len(types.TABLE), "a type is listed twice"


def test_kinds_match_what_is_registered():
    from moto.cloudformation.parsing import get_model_map

    native = get_model_map()  # moto's own, before providers.register() is applied in this process or not
    for row in types.TABLE:
        provider = providers.BY_TYPE.get(row.type)
        if row.kind == types.PLACEHOLDER:
            assert provider is not None and issubclass(provider, Placeholder), row.type
            assert row.service == "", row.type
        elif row.kind == types.PROVIDER:
            assert provider is not None and not issubclass(provider, Placeholder), row.type
            assert row.service, f"{row.type}: name the moto service API that backs it"
        else:
            assert row.kind == types.NATIVE and provider is None, row.type
            assert row.type in native, f"{row.type} is marked native but moto has no model for it"
    assert set(providers.BY_TYPE) <= set(types.BY_TYPE), "a provider without a row"


def test_readme_table_is_generated_from_types():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert types.markdown() in readme, (
        "README's local-endpoint table differs from templates_src/emulator/types.py; paste types.markdown() "
        "(python -c 'from templates_src.emulator.types import markdown; print(markdown())')"
    )
