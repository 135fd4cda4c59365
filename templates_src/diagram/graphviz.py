"""A `Diagram` as Graphviz DOT, and as SVG when the `dot` program is installed."""

from __future__ import annotations

import shutil
import subprocess

from ..errors import UsageError
from . import Diagram, Group, Node

_SHAPES = {"box": "box", "round": "box", "database": "cylinder", "circle": "circle", "hexagon": "hexagon"}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(node: Node, pad: str) -> str:
    style = ', style="rounded"' if node.shape == "round" else ""
    return f"{pad}{node.id} [label={_q(node.label)}, shape={_SHAPES[node.shape]}{style}];"


def _group(group: Group, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    out.append(f"{pad}subgraph cluster_{group.id} {{")
    out.append(f"{pad}  label={_q(group.label)};")
    out.extend(_node(n, pad + "  ") for n in group.nodes)
    for sub in group.groups:
        _group(sub, depth + 1, out)
    out.append(f"{pad}}}")


def render(diagram: Diagram) -> str:
    out = [
        "digraph stackc {",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=10];',
        f"  label={_q(diagram.title)};",
    ]
    out.extend(_node(n, "  ") for n in diagram.top.nodes)
    for group in diagram.top.groups:
        _group(group, 1, out)
    known = diagram.node_ids()
    for e in diagram.edges:
        if e.source in known and e.target in known:
            attrs = [f"label={_q(e.label)}"] if e.label else []
            if e.dashed:
                attrs.append("style=dashed")
            out.append(f"  {e.source} -> {e.target}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


def available() -> bool:
    return shutil.which("dot") is not None


def svg(diagram: Diagram) -> str:
    """SVG drawn by Graphviz; a usage error (exit 2) when `dot` is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        raise UsageError(
            "SVG needs Graphviz's `dot` (apt-get install graphviz); without it use --format mermaid or dot"
        )
    done = subprocess.run([dot, "-Tsvg"], input=render(diagram), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"dot failed: {done.stderr.strip()}")
    return done.stdout
