"""review FILE...: the review of saved change sets, offline (no AWS call)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import reports_errors


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@reports_errors
def review(files, fmt):
    """Review saved `aws cloudformation describe-change-set --include-property-values` outputs, offline.

    \b
    FILE...: one file per change set (the root first, then its nested ones), or one file holding a JSON
    list of them; AWS CLI JSON (nulls included) or the console's camelCase JSON.
    Exit codes: 0 reviewed, 2 unreadable input, 3 the change set holds a danger (as `plan` reports it).
    """
    from templates_src.deploy import review as rv
    from templates_src.deploy.saved import review_files

    result = review_files(list(files))
    if fmt == "json":
        click.echo(json.dumps(rv.to_json(result), indent=2))
    elif fmt == "markdown":
        click.echo(rv.render_markdown(result).removesuffix("\n"))
    else:
        click.echo(rv.render_text(result))
    if result.dangers:
        sys.exit(3)
