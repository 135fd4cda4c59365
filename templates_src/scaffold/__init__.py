"""`stackc init NAME`: a new system's params (_base.yaml, dev.yaml, prod.yaml, commented, each with a
yaml-language-server modeline naming the JSON Schema), and the project file when there is none.

The files here are the templates; `$name` becomes the system's name. They build and lint clean as
written (tests/test_project.py proves it), so a new user's first `stackc build` and `stackc lint` pass."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from pydantic import TypeAdapter, ValidationError

from ..config.base import NAME_HELP, Name
from ..errors import UsageError
from ..settings import PROJECT_FILE, settings

SYSTEM_FILES = ("_base.yaml", "dev.yaml", "prod.yaml")
SCHEMA_FILE = "params.schema.json"  # in the params folder: the modelines say ../params.schema.json


@dataclass(frozen=True)
class Scaffolded:
    written: list[Path]  # in the order written
    project_file: Path  # the project file in use (written now, or found)


def init(name: str, cwd: Path | None = None) -> Scaffolded:
    """Write params/<name>/ (and stackc.toml in `cwd` when no project file is found from there up).
    Refuses an invalid name or an existing system folder: nothing is overwritten."""
    try:
        TypeAdapter(Name).validate_python(name)
    except ValidationError:
        raise UsageError(f"system name {name!r}: expected {NAME_HELP}") from None
    here = (cwd or Path.cwd()).resolve()
    cfg = settings(here)
    written: list[Path] = []
    project_file = cfg.project_file
    system_dir = cfg.params_dir / name
    if system_dir.exists():
        raise UsageError(f"{system_dir} already exists: nothing written (choose another name)")
    files = {system_dir / file: _template(file, name) for file in SYSTEM_FILES}
    if project_file is None:
        project_file = here / PROJECT_FILE
        files = {project_file: _template(PROJECT_FILE, name), **files}
    system_dir.mkdir(parents=True)
    for path, text in files.items():
        path.write_text(text)
        written.append(path)
    written.append(write_schema(cfg.params_dir))
    return Scaffolded(written, project_file)


def write_schema(params_dir: Path) -> Path:
    """The editor schema beside the systems (rewritten: it follows the installed stackc)."""
    from ..reference import schema_text

    path = params_dir / SCHEMA_FILE
    params_dir.mkdir(parents=True, exist_ok=True)
    text = schema_text()
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    return path


def _template(file: str, name: str) -> str:
    text = resources.files(__name__).joinpath(file).read_text(encoding="utf-8")
    return Template(text).safe_substitute(name=name)  # the modeline's $schema stays
