"""The YAML form: byte-for-byte what cfn_flip's pure-Python path writes, on every template of every system
(the repo's params and the zoo) and on generated documents full of the text that changes a scalar's style."""

from __future__ import annotations

import json

import pytest
from cfn_flip import to_yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from templates_src import compiler
from templates_src.render_yaml import json_to_yaml
from templates_src.targets import Target, all_targets

from .helpers import PARAMS_DIR, write_params
from .test_zoo import ZOO


def reference(text: str) -> str:
    """The form build/ had before render_yaml (PyYAML's emitter through cfn_flip)."""
    return to_yaml(text, clean_up=False, long_form=False)


def outcome(convert, text: str):
    try:
        return convert(text)
    except TypeError:  # cfn_flip fails on a number under a tag ({"Ref": 1}); the fast path must too
        return TypeError


def assert_same(text: str, where: str) -> None:
    assert outcome(json_to_yaml, text) == outcome(reference, text), where


@pytest.mark.parametrize("target", all_targets(PARAMS_DIR), ids=lambda t: f"{t.system}/{t.env}")
def test_every_template_of_every_system(target):
    compiled = compiler.compile_target(target)
    for name, text in compiled.templates.items():
        assert_same(text, f"{target.system}/{target.env}/{name}")
        assert compiled.files[f"{name}.yaml"] == json_to_yaml(text)


def test_every_template_of_the_zoo(tmp_path):
    for name, config in ZOO.items():
        write_params(tmp_path, name, config)
        for template, text in compiler.compile_target(Target(name, "dev", tmp_path)).templates.items():
            assert_same(text, f"zoo {name}/{template}")


# Text that moves a scalar between plain, quoted, folded and literal styles: indicators, quotes, leading
# zeros, YAML 1.1 booleans and numbers, spaces at the ends, line breaks, non-ASCII and non-printables.
PIECES = [
    "a", "Z", "api", " ", "  ", "-", "- ", ":", ": ", "#", " #", "'", '"', "\\", "0", "00", "0123", "12", "1.5",
    "1e3", "true", "no", "null", "~", "<<", "=", "*", "&", "!", "|", ">", "%", "@", "`", "{", "}", "[", "]", ",",
    "?", "\n", "\n\n", "\r", "\t", "é", "日本", "\xa0", "\x85", "\u2028", "\x07", "\ufeff", "${AWS::Region}",
    "arn:aws:s3:::b/*",
]  # fmt: skip
text = st.lists(st.sampled_from(PIECES), max_size=12).map("".join) | st.text(max_size=30)
long_text = st.lists(st.sampled_from(["word", " ", "  ", "x" * 30, "'", "\n", "0", ":"]), min_size=20, max_size=90).map(
    "".join
)
scalar = (
    text
    | long_text
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
    | st.sampled_from([1e17, 1e-7, -0.0, 2.5e300])
)
intrinsic = st.one_of(
    text.map(lambda s: {"Ref": s}),
    st.lists(text, min_size=2, max_size=2).map(lambda v: {"Fn::GetAtt": v}),
    text.map(lambda s: {"Fn::GetAtt": s}),
    text.map(lambda s: {"Condition": s}),
)


def documents(leaf):
    return st.recursive(
        leaf | intrinsic,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(text | long_text, inner, max_size=4)
            | st.tuples(st.sampled_from(["Fn::Join", "Fn::If", "Fn::Sub", "Fn::Transform", "Fn::Select"]), inner).map(
                lambda p: {p[0]: p[1]}
            )
        ),
        max_leaves=25,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(text | long_text, documents(scalar), min_size=1, max_size=5))
# cfn_tools' account-ID pattern ^0[0-9]+$ (re.match) also matches before a final "\n": single-quoted, not "\n"
@example({"": {"Ref": "00\n"}})
@example({"": {"Fn::GetAtt": "00\n"}})
@example({"a": {"Condition": "0123\n"}, "b": {"Ref": "00\n\n"}, "c": {"Ref": "00\r"}, "d": {"Ref": "0\n"}})
@example({"k": [{"Fn::Sub": "007\n"}, 7, {"Fn::Select": "0٣\n"}]})
def test_generated_documents(doc):
    assert_same(json.dumps(doc, ensure_ascii=False), json.dumps(doc)[:300])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(text, documents(text), max_size=4), st.sampled_from(["", "Fn::Sub", "!GetAtt", "States"]))
def test_state_machine_definitions_stay_json_blocks(definition, key):
    if key:
        definition = {key: definition}
    template = {
        "Resources": {
            "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": definition}}
        }
    }
    assert_same(json.dumps(template), json.dumps(definition)[:300])


@pytest.mark.parametrize("deep", [1, 6, 14])
def test_long_text_folds_at_any_depth(deep):
    words = " ".join(f"w{i:03d}" for i in range(80))
    doc: dict = {"Text": words, "Key": "k " * 70}
    for i in range(deep):  # just under 200 characters, starting further right at each level
        doc = {f"Level{i}": [doc, {"Sub": words[: 150 + 3 * i]}, {"Fn::Sub": words[: 190 - i]}]}
    assert_same(json.dumps(doc), f"depth {deep}")


def test_keys_that_cannot_be_simple():
    doc = {"": 1, "k" * 130: [1], "two\nlines": {"a": "b"}, "ok": {"": ""}}
    assert_same(json.dumps(doc), "complex keys")
