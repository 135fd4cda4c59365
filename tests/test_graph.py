"""The stack graph writes the cross-stack plumbing and refuses broken wiring with both ends named."""

from __future__ import annotations

import pytest
from troposphere import Ref, sns

from templates_src.errors import BuildError
from templates_src.graph import StackGraph
from templates_src.stacks import root


def topic(ctx, name="Topic"):
    return ctx.template.add_resource(sns.Topic(name))


def test_ref_creates_parameter_output_and_getatt():
    g = StackGraph("s", "e")
    producer = g.context("alpha", "a")
    producer.export("TopicArn", Ref(topic(producer)), description="the topic")
    consumer = g.context("beta", "b")
    topic(consumer).DisplayName = consumer.ref("alpha", "TopicArn")
    resolved = g.resolve()
    alpha, beta = (u.template.to_dict() for u in resolved.units)
    assert alpha["Outputs"] == {"TopicArn": {"Description": "the topic", "Value": {"Ref": "Topic"}}}
    assert beta["Parameters"]["TopicArn"]["Type"] == "String"
    r = root.build(g, resolved, "d", {}).to_dict()
    assert r["Resources"]["BetaStack"]["Properties"]["Parameters"] == {
        "TopicArn": {"Fn::GetAtt": ["AlphaStack", "Outputs.TopicArn"]}
    }


def test_unconsumed_exports_make_no_outputs():
    g = StackGraph("s", "e")
    ctx = g.context("alpha", "a")
    ctx.export("TopicArn", Ref(topic(ctx)))
    assert "Outputs" not in g.resolve().units[0].template.to_dict()


def test_order_follows_dependencies_not_declaration():
    g = StackGraph("s", "e")
    consumer = g.context("beta", "b")
    topic(consumer).DisplayName = consumer.ref("alpha", "TopicArn")
    producer = g.context("alpha", "a")
    producer.export("TopicArn", Ref(topic(producer)))
    assert g.resolve().order == ["alpha", "beta"]


def test_missing_stack_names_both_ends():
    g = StackGraph("s", "e")
    ctx = g.context("beta", "b")
    topic(ctx).DisplayName = ctx.ref("gamma", "TopicArn")
    with pytest.raises(BuildError, match=r"stack 'beta' refers to gamma.TopicArn, but there is no stack 'gamma'"):
        g.resolve()


def test_missing_output_names_both_ends_and_what_exists():
    g = StackGraph("s", "e")
    producer = g.context("alpha", "a")
    producer.export("TopicArn", Ref(topic(producer)))
    ctx = g.context("beta", "b")
    topic(ctx).DisplayName = ctx.ref("alpha", "QueueUrl")
    with pytest.raises(
        BuildError, match=r"'beta' refers to alpha.QueueUrl, but 'alpha' exports no 'QueueUrl' \(it exports: TopicArn\)"
    ):
        g.resolve()


def test_cycle_is_an_error_naming_both_stacks():
    g = StackGraph("s", "e")
    a, b = g.context("alpha", "a"), g.context("beta", "b")
    a.export("A", Ref(topic(a)))
    b.export("B", Ref(topic(b)))
    a.template.resources["Topic"].DisplayName = a.ref("beta", "B")
    b.template.resources["Topic"].DisplayName = b.ref("alpha", "A")
    with pytest.raises(BuildError, match=r"stacks 'alpha' and 'beta' depend on each other: alpha -> beta -> alpha"):
        g.resolve()


def test_tunables_become_labelled_root_parameters_within_budget():
    g = StackGraph("s", "e")
    ctx = g.context("alpha", "a")
    for i in range(3):
        topic(ctx, f"Topic{i}").DisplayName = ctx.tunable(f"Name{i}", default=f"n{i}", label=f"Name {i}", group="Alpha")
    resolved = g.resolve(tunable_budget=2)
    assert [t.name for t in resolved.root_tunables] == ["Name0", "Name1"]
    assert [(s, t.name) for s, t in resolved.child_tunables] == [("alpha", "Name2")]
    r = root.build(g, resolved, "d", {}).to_dict()
    assert r["Parameters"]["Name0"]["Default"] == "n0"
    assert "Name2" not in r["Parameters"]  # past the budget: the child's own default applies
    assert r["Resources"]["AlphaStack"]["Properties"]["Parameters"] == {
        "Name0": {"Ref": "Name0"},
        "Name1": {"Ref": "Name1"},
    }
    child = resolved.units[0].template.to_dict()
    assert child["Parameters"]["Name2"]["Default"] == "n2"
    iface = r["Metadata"]["AWS::CloudFormation::Interface"]
    assert iface["ParameterGroups"] == [{"Label": {"default": "Alpha"}, "Parameters": ["Name0", "Name1"]}]
    assert iface["ParameterLabels"]["Name1"] == {"default": "Name 1"}


def test_same_tunable_in_two_stacks_is_an_error():
    g = StackGraph("s", "e")
    for name in ("alpha", "beta"):
        ctx = g.context(name, name)
        topic(ctx).DisplayName = ctx.tunable("ImageTag", default="x", label="l", group="g")
    with pytest.raises(BuildError, match="'alpha' and 'beta' both declare tunable 'ImageTag'"):
        g.resolve()


def test_stack_without_resources_cannot_export_computed_values():
    g = StackGraph("s", "e")
    ctx = g.context("alpha", "a")
    ctx.export("Thing", "literal")
    with pytest.raises(BuildError, match="has no resources but exports 'Thing'"):
        g.resolve()


def test_public_outputs_past_the_root_budget_stay_on_their_stack():
    g = StackGraph("s", "e")
    for name in ("alpha", "beta"):
        ctx = g.context(name, name)
        ctx.output(f"{name.capitalize()}Arn", Ref(topic(ctx)), description=name)
    resolved = g.resolve(output_budget=1)
    assert [(u.name, o) for u, o, _ in resolved.root_outputs] == [("alpha", "AlphaArn")]
    assert resolved.child_outputs == [("beta", "BetaArn")]
    r = root.build(g, resolved, "d", {}).to_dict()
    assert list(r["Outputs"]) == ["AlphaArn"]
    assert "BetaArn" in resolved.units[1].template.to_dict()["Outputs"]


def test_two_stacks_cannot_output_the_same_name_to_the_root():
    g = StackGraph("s", "e")
    for name in ("alpha", "beta"):
        ctx = g.context(name, name)
        ctx.output("Url", Ref(topic(ctx)), description=name)
    with pytest.raises(BuildError, match="two stacks output 'Url' to the root"):
        g.resolve()


def test_a_name_the_config_chose_must_not_clash_with_another_stacks_export():
    from templates_src.errors import NameClash

    g = StackGraph("s", "e")
    alpha = g.context("alpha", "a")
    alpha.export("TopicArn", Ref(topic(alpha)))
    beta = g.context("beta", "b")
    beta.output("TopicArn", Ref(topic(beta)), description="d", origin=("services", "beta", "url_output"))
    with pytest.raises(NameClash) as exc:
        g.resolve()
    assert exc.value.path == ("services", "beta", "url_output") and "stack 'alpha'" in exc.value.message


def test_compiler_names_may_repeat_across_stacks_when_nobody_chose_them():
    g = StackGraph("s", "e")
    for name in ("alpha", "beta"):
        ctx = g.context(name, name)
        ctx.export("TopicArn", Ref(topic(ctx)))
    g.resolve()  # only an import of the ambiguous name would fail (ctx.ref names both producers)
