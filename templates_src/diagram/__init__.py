"""Architecture diagrams drawn from the typed config, never by hand: a small graph model (this module),
built from a `System` (build.py), written as Mermaid (mermaid.py) or Graphviz DOT (graphviz.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Shape = Literal["box", "round", "database", "circle", "hexagon"]


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    shape: Shape = "box"


@dataclass
class Group:
    """A region, a VPC, a subnet tier: nodes and groups drawn inside one frame."""

    id: str
    label: str
    nodes: list[Node] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    def empty(self) -> bool:
        return not self.nodes and all(g.empty() for g in self.groups)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    dashed: bool = False


@dataclass
class Diagram:
    title: str
    top: Group  # the outermost frame (its label is not drawn)
    edges: list[Edge] = field(default_factory=list)

    def node_ids(self) -> set[str]:
        out: set[str] = set()
        stack = [self.top]
        while stack:
            g = stack.pop()
            out |= {n.id for n in g.nodes}
            stack.extend(g.groups)
        return out
