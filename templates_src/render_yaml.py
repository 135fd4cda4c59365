"""Template JSON to short-form CloudFormation YAML (`!Ref 'X'`, `!GetAtt 'A.B'`), without PyYAML's
representer, serializer and event machine.

The output is byte-for-byte what cfn_flip's `to_yaml(text, clean_up=False, long_form=False)` writes
(the form build/ has always had; tests/test_render_yaml.py compares the two on every template of every
system and on generated text): the same style rules for each scalar (cfn_flip's: literal block for 10+
lines, folded for 200+ characters, quoted for leading zeros and line breaks; then PyYAML's analysis of
what may be plain), the same 200-column folding, the same indentation (sequences indented under their
key). The walk over the data is ours; the character-level work (analysis, quoting, folding, block
scalars) is PyYAML's own code, called directly, so no escaping rule is re-implemented here. Plain and
single-quoted scalars that cannot fold (most of them) are written directly.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from yaml.emitter import Emitter, ScalarAnalysis
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

WIDTH = 200  # cfn_flip's max_col_width
TAG_STR = "tag:yaml.org,2002:str"
TAG_INT = "tag:yaml.org,2002:int"
TAG_FLOAT = "tag:yaml.org,2002:float"
TAG_BOOL = "tag:yaml.org,2002:bool"
TAG_NULL = "tag:yaml.org,2002:null"
LINE_BREAKS = "\n\x85\u2028\u2029"
# cfn_tools' AWS_ACCOUNT_ID, matched as it does (re.match): `$` also matches before one final "\n", so "00\n" counts
_ACCOUNT_ID = re.compile(r"^0[0-9]+$").match
INTRINSIC_KEYS = ("Fn::Sub", "!Sub", "!GetAtt")  # cfn_flip keeps a state machine definition with these as a mapping
LITERAL_PROPERTIES = {"AWS::StepFunctions::StateMachine": "DefinitionString"}  # JSON kept as a text block
_INF = 1e300
while repr(_INF) != repr(_INF * _INF):
    _INF *= _INF


class _Literal(str):
    """A JSON document shown as a literal block (cfn_flip's LiteralString)."""


_RESOLVER = Resolver()
_ANALYZER = Emitter(None, allow_unicode=True)  # as the writer: non-ASCII text may be plain


@lru_cache(maxsize=65536)
def _analysis(text: str, literal: bool) -> ScalarAnalysis:
    if not text or literal:  # cfn_tools' CfnEmitter: empty and literal text may be block scalars
        return ScalarAnalysis(
            scalar=text,
            empty=True,
            multiline=False,
            allow_flow_plain=False,
            allow_block_plain=True,
            allow_single_quoted=True,
            allow_double_quoted=True,
            allow_block=True,
        )
    return _ANALYZER.analyze_scalar(text)


@lru_cache(maxsize=65536)
def _implicit(tag: str, text: str) -> tuple[bool, bool]:
    """The serializer's (plain, quoted) implicit flags: may this tag go unwritten in that style."""
    return (
        tag == _RESOLVER.resolve(ScalarNode, text, (True, False)),
        tag == _RESOLVER.resolve(ScalarNode, text, (False, True)),
    )


@lru_cache(maxsize=1024)
def _prepared_tag(tag: str) -> str:
    emitter = Emitter(None)
    emitter.tag_prefixes = dict(Emitter.DEFAULT_TAG_PREFIXES)
    return emitter.prepare_tag(tag)


def _string_style(value: str) -> str | None:
    """cfn_flip's string representer, then cfn_tools' represent_scalar."""
    if value.count("\n") + value.count("\r") >= 10:
        style: str | None = "|"
    elif len(value) >= WIDTH and "\n" not in value:
        style = ">"
    elif value.startswith("0"):
        style = "'"
    else:
        style = None
    return _scalar_style(value, style)


def _scalar_style(value: str, style: str | None) -> str | None:
    """cfn_tools' represent_scalar: account IDs single-quoted, text with line breaks double-quoted."""
    if _ACCOUNT_ID(value):
        return "'"
    if style is None and ("\n" in value or "\r" in value):
        return '"'
    return style


def _float_text(data: float) -> str:
    if data != data:
        return ".nan"
    if data == _INF:
        return ".inf"
    if data == -_INF:
        return "-.inf"
    value = repr(data).lower()
    if "." not in value and "e" in value:
        value = value.replace("e", ".0e", 1)
    return value


def _keep_literals(source: Any) -> Any:
    """cfn_clean's literal parser: a state machine's DefinitionString mapping becomes JSON text."""
    if isinstance(source, dict):
        for key, value in source.items():
            if key == "Type":
                prop = LITERAL_PROPERTIES.get(value) if isinstance(value, str) else None
                props = source.get("Properties") if prop else None
                if props and props.get(prop):
                    definition = props[prop]
                    if isinstance(definition, dict) and not any(k in INTRINSIC_KEYS for k in definition):
                        props[prop] = _Literal(json.dumps(definition, indent=2, separators=(",", ": ")))
            else:
                source[key] = _keep_literals(value)
    elif isinstance(source, list):
        return [_keep_literals(item) for item in source]
    return source


STRING = "string"  # cfn_flip's string representer decides
TAGGED = "tagged"  # cfn_tools' represent_scalar alone decides (numbers, booleans, a function's argument)


@lru_cache(maxsize=131072)
def _plan(tag: str, text: str, style: str | None, literal: bool, key: bool) -> tuple[str, str, str | None, bool]:
    """How one scalar is written, the same wherever it stands: (style, tag to write, the exact text
    when it is plain or single-quoted without a line break, whether it holds a space)."""
    if style == STRING:
        style = _string_style(text)
    elif style == TAGGED:
        style = _scalar_style(text, None)
    analysis = _analysis(text, literal)
    implicit = _implicit(tag, text)
    chosen = _choose_style(analysis, style, implicit, key)
    written_tag = "" if (chosen == "" and implicit[0]) or (chosen != "" and implicit[1]) else _prepared_tag(tag)
    direct = None
    if not any(c in text for c in LINE_BREAKS):
        if chosen == "" and text:
            direct = text
        elif chosen == "'":
            direct = "'" + text.replace("'", "''") + "'"
    return chosen, written_tag, direct, " " in text


def _choose_style(analysis: ScalarAnalysis, style: str | None, implicit: tuple[bool, bool], key: bool) -> str:
    """Emitter.choose_scalar_style outside flow collections (where this never writes a scalar)."""
    if style == '"':
        return '"'
    if (
        not style
        and implicit[0]
        and analysis.allow_block_plain
        and not (key and (analysis.empty or analysis.multiline))
    ):
        return ""
    if style and style in "|>" and not key and analysis.allow_block:
        return style
    if (not style or style == "'") and analysis.allow_single_quoted and not (key and analysis.multiline):
        return "'"
    return '"'


class _Out(list):
    write = list.append


class _Writer(Emitter):
    """PyYAML's emitter state (column, indent, whitespace) and writers, driven by a walk over the data."""

    indent: int | None
    indents: list[int | None]
    column: int
    whitespace: bool
    indention: bool

    def __init__(self) -> None:
        super().__init__(_Out(), indent=2, width=WIDTH, allow_unicode=True)
        self.tag_prefixes = dict(Emitter.DEFAULT_TAG_PREFIXES)

    # -- nodes (Emitter.expect_node and friends, without events)

    def node(self, value: Any, *, root: bool = False, sequence: bool = False, mapping: bool = False, key: bool = False):
        self.root_context, self.sequence_context, self.mapping_context = root, sequence, mapping
        self.simple_key_context = key
        tag = None
        if type(value) is dict and len(value) == 1:  # cfn_flip's short form of an intrinsic function
            (name, inner), *_ = value.items()
            if name in ("Ref", "Condition"):
                tag = "!" + name
            elif name.startswith("Fn::"):
                tag = "!" + name[4:]
            if tag is not None:
                value = ".".join(inner) if tag == "!GetAtt" and isinstance(inner, list) else inner
        if isinstance(value, dict):
            self.collection(tag, value, self.mapping_items)
        elif isinstance(value, list):
            self.collection(tag, value, self.sequence_items)
        elif isinstance(value, str):
            if tag is not None:  # fn_representer: the tag's own scalar, no string rules but cfn_tools'
                self.scalar(tag, value, TAGGED, isinstance(value, _Literal))
            elif isinstance(value, _Literal):
                self.scalar(TAG_STR, value, "|", True)
            else:
                self.scalar(TAG_STR, value, STRING, False)
        elif tag is not None:  # cfn_flip fails on a non-text scalar under a tag; so do we
            raise TypeError(f"expected string or bytes-like object, got {type(value).__name__!r}")
        elif value is True or value is False:
            self.scalar(TAG_BOOL, "true" if value else "false", None, False)
        elif value is None:
            self.scalar(TAG_NULL, "null", None, False)
        elif isinstance(value, int):
            self.scalar(TAG_INT, str(value), TAGGED, False)
        elif isinstance(value, float):
            self.scalar(TAG_FLOAT, _float_text(value), TAGGED, False)
        else:
            raise TypeError(f"cannot write {type(value).__name__} as YAML")

    def collection(self, tag: str | None, value: Any, items) -> None:
        if tag is not None:
            prepared = _prepared_tag(tag)
            if prepared:
                self.write_indicator(prepared, True)
        if not value:  # flow style: {} or []
            self.write_indicator("{" if isinstance(value, dict) else "[", True, whitespace=True)
            self.write_indicator("}" if isinstance(value, dict) else "]", False)
            return
        # Block collection: cfn_tools indents sequences under their key too (never "indentless").
        self.indents.append(self.indent)
        self.indent = 0 if self.indent is None else self.indent + self.best_indent
        items(value)
        self.indent = self.indents.pop()

    def mapping_items(self, value: dict) -> None:
        for k, v in value.items():
            self.write_indent()
            if self.simple_key(k):
                self.node(k, mapping=True, key=True)
                self.write_indicator(":", False)
            else:
                self.write_indicator("?", True, indention=True)
                self.node(k, mapping=True)
                self.write_indent()
                self.write_indicator(":", True, indention=True)
            self.node(v, mapping=True)

    def sequence_items(self, value: list) -> None:
        for item in value:
            self.write_indent()
            self.write_indicator("-", True, indention=True)
            self.node(item, sequence=True)

    def simple_key(self, key: str) -> bool:
        """Emitter.check_simple_key for a text key (JSON has no other): short, one line, not empty. The
        length counts the tag the event carries even though it is never written (`!!str`)."""
        analysis = _analysis(key, isinstance(key, _Literal))
        length = len(_prepared_tag(TAG_STR)) + len(analysis.scalar)
        return length < 128 and not analysis.empty and not analysis.multiline

    # -- scalars (Emitter.process_tag, choose_scalar_style, process_scalar)

    def scalar(self, tag: str, text: str, style: str | None, literal: bool) -> None:
        """process_tag, then expect_scalar's process_scalar. `style`: the representer's request, or
        STRING / TAGGED for "apply cfn_flip's string rules / only cfn_tools' rules"."""
        key = self.simple_key_context
        chosen, written_tag, direct, spaced = _plan(tag, text, style, literal, key)
        if written_tag:
            self.write_indicator(written_tag, True)
        if direct is not None and not self.root_context:  # can it fold at a space past the width?
            lead = 0 if self.whitespace else 1
            if not (spaced and not key and self.column + lead + len(direct) > self.best_width):
                self.stream.write(" " + direct if lead else direct)
                self.column += lead + len(direct)
                self.whitespace = self.indention = False
                return
        self.indents.append(self.indent)  # expect_scalar's increase_indent(flow=True)
        self.indent = self.best_indent if self.indent is None else self.indent + self.best_indent
        if chosen == "":
            self.write_plain(text, not key)
        elif chosen == "'":
            self.write_single_quoted(text, not key)
        elif chosen == '"':
            self.write_double_quoted(text, not key)
        elif chosen == ">":
            self.write_folded(text)
        else:
            self.write_literal(text)
        self.indent = self.indents.pop()

    def document(self, data: Any) -> str:
        self.node(data, root=True)
        self.write_indent()  # expect_document_end
        if self.open_ended:
            self.write_indicator("...", True)
            self.write_indent()
        return "".join(self.stream)


def json_to_yaml(json_text: str) -> str:
    """A JSON template as short-form YAML (cfn_flip's form, see the module doc)."""
    return data_to_yaml(_keep_literals(json.loads(json_text)))


def data_to_yaml(data: Any) -> str:
    return _Writer().document(data)
