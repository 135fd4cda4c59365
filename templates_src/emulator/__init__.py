"""The local endpoint: moto's server on 127.0.0.1, patched to behave as AWS where stackc's templates
need it, with a provider for every resource type moto's CloudFormation lacks.

- server.py     start/stop/reset (127.0.0.1 only), dummy credentials
- patches.py    moto behaviours replaced, each saying how AWS behaves
- providers/    one module per AWS service, backed by moto's own API for it (placeholders.py: none)
- drift.py      drift detection (moto has none), computed from the live resources in moto's backends
- types.py      every resource type the compiler emits -> native / provider / placeholder
- __main__.py   `python -m templates_src.emulator [--port N]` (`make emulator`)

Nothing in the compiler or deploy imports this package; moto is a test extra.
"""

from .server import (
    DEFAULT_PORT,
    DUMMY_ENV,
    HOST,
    UNSET_ENV,
    Emulator,
    EmulatorUnavailable,
    dummy_credentials,
    free_port,
)

__all__ = [
    "DEFAULT_PORT",
    "DUMMY_ENV",
    "HOST",
    "UNSET_ENV",
    "Emulator",
    "EmulatorUnavailable",
    "dummy_credentials",
    "free_port",
]
