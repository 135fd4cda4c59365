"""init, schema, completion: starting a project, the params JSON Schema, shell completion."""

from __future__ import annotations

import click

from ..paths import shown
from .common import reports_errors


@click.command()
@click.argument("name")
@reports_errors
def init(name):
    """Scaffold system NAME: params/NAME/_base.yaml, dev.yaml, prod.yaml (and stackc.toml if there is no
    project file here or above). `stackc build -s NAME -e dev` and `stackc lint` pass on the result."""
    from templates_src.scaffold import init as scaffold

    done = scaffold(name)
    for path in done.written:
        click.echo(f"wrote {shown(path)}")
    click.echo(f"next: stackc build -s {name} -e dev && stackc lint -s {name} -e dev")


@click.command()
@reports_errors
def schema():
    """Print the JSON Schema of a params file (editors: a yaml-language-server modeline names it)."""
    from templates_src.reference import schema_text

    click.echo(schema_text(), nl=False)


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell):
    """Print the shell completion script, e.g. `eval "$(stackc completion bash)"` in ~/.bashrc,
    `stackc completion fish > ~/.config/fish/completions/stackc.fish`."""
    from click.shell_completion import get_completion_class

    ctx = click.get_current_context().find_root()
    cls = get_completion_class(shell)
    assert cls is not None  # click ships bash, zsh and fish
    click.echo(cls(ctx.command, {}, "stackc", "_STACKC_COMPLETE").source())
