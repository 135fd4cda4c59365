"""A `Diagram` as a Mermaid flowchart (GitHub and GitLab render it in Markdown). Deterministic text."""

from __future__ import annotations

from . import Diagram, Group, Node

_SHAPES = {
    "box": ('["', '"]'),
    "round": ('("', '")'),
    "database": ('[("', '")]'),
    "circle": ('(("', '"))'),
    "hexagon": ('{{"', '"}}'),
}


def _label(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def _node(node: Node) -> str:
    left, right = _SHAPES[node.shape]
    return f"{node.id}{left}{_label(node.label)}{right}"


def _group(group: Group, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    out.append(f'{pad}subgraph {group.id}["{_label(group.label)}"]')
    for node in group.nodes:
        out.append(f"{pad}  {_node(node)}")
    for sub in group.groups:
        _group(sub, depth + 1, out)
    out.append(f"{pad}end")


def render(diagram: Diagram) -> str:
    out = ["flowchart LR"]
    for node in diagram.top.nodes:
        out.append(f"  {_node(node)}")
    for group in diagram.top.groups:
        _group(group, 1, out)
    known = diagram.node_ids()
    for edge in diagram.edges:
        if edge.source not in known or edge.target not in known:
            continue  # a reference the config checker already refuses; never draw a dangling node
        arrow = "-.->" if edge.dashed else "-->"
        label = f'|"{_label(edge.label)}"|' if edge.label else ""
        out.append(f"  {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(out) + "\n"
