"""The change-set review on realistic DescribeChangeSet responses (root + nested change sets).

moto's change sets have no Replacement, Details or nested change sets, so the review is tested on
hand-written responses -- each validated against botocore's own output shape for DescribeChangeSet
(tests/aws_shapes.py), so a fixture cannot hold a key or value the API never returns.
"""

from __future__ import annotations

import json

import pytest

from templates_src.deploy import review as rv
from templates_src.parts.stateful import STATEFUL_POLICIES

from .aws_shapes import FIXTURES, ShapeError, load_fixture, validate

CHANGESETS = sorted(p.name for p in (FIXTURES / "changesets").glob("*.json"))


def review_of(name: str) -> rv.Review:
    f = load_fixture("changesets", name)
    stacks = f.get("DescribeStacks", {}).get("Stacks") or []
    change_set_type = "CREATE" if not stacks else "UPDATE"
    return rv.build_review(
        f["DescribeChangeSet"],
        change_set_type=change_set_type,
        current_parameters=stacks[0].get("Parameters") if stacks else None,
    )


@pytest.mark.parametrize("name", CHANGESETS)
def test_fixture_matches_botocore_shape_and_expected_dangers(name):
    f = load_fixture("changesets", name)  # validates every response
    review = review_of(name)
    assert [c.path for c in review.dangers] == f["expect"]["danger"]


def test_validator_rejects_what_the_api_never_returns():
    good = json.loads((FIXTURES / "changesets" / "update_replaces_database.json").read_text())["DescribeChangeSet"][1]
    validate("DescribeChangeSet", good)
    unknown_key = json.loads(json.dumps(good))
    unknown_key["Changes"][0]["ResourceChange"]["ReplacementReason"] = "x"
    with pytest.raises(ShapeError, match="ReplacementReason"):
        validate("DescribeChangeSet", unknown_key)
    bad_enum = json.loads(json.dumps(good))
    bad_enum["Changes"][0]["ResourceChange"]["Replacement"] = "Yes"
    with pytest.raises(ShapeError, match="not one of"):
        validate("DescribeChangeSet", bad_enum)
    bad_type = json.loads(json.dumps(good))
    bad_type["Changes"][0]["ResourceChange"]["Scope"] = "Properties"
    with pytest.raises(ShapeError, match="expected a list"):
        validate("DescribeChangeSet", bad_type)


def test_database_replacement_is_danger_and_stands_first():
    review = review_of("update_replaces_database.json")
    order = [c.path for c in review.changes]
    # The DataStack branch (it holds the dangers) comes before ApiStack, and its dangers lead it.
    assert order[:3] == [
        "shop-prod/DataStack",
        "shop-prod/DataStack/OrdersDbCluster",
        "shop-prod/DataStack/OrdersDbWriter",
    ]
    assert order.index("shop-prod/ApiStack") > order.index("shop-prod/DataStack/OrdersDbSecretAttachment")
    db = review.changes[1]
    assert (db.action, db.replacement, db.risk) == ("Modify", "True", "danger")
    assert db.replacement_causes == ["DatabaseName"]  # not BackupRetentionPeriod, which does not force it
    assert "snapshotted" in db.risk_reason  # PolicyAction ReplaceAndSnapshot is said
    writer = review.changes[2]
    assert (writer.replacement, writer.risk) == ("Conditional", "danger")
    task = next(c for c in review.changes if c.logical_id == "ApiTaskDefinition")
    assert (task.risk, task.replacement) == ("warn", "True")  # replaced, but holds no data
    service = next(c for c in review.changes if c.logical_id == "ApiService")
    assert service.risk == "info"
    assert review.parameters == (rv.ParameterChange("shop-prod", "ApiImageTag", "1.41.0", "1.42.0"),)


def test_text_review_puts_the_danger_banner_before_the_tree():
    text = rv.render_text(review_of("update_replaces_database.json"))
    banner = text.index("!! DANGER: 2 changes that can lose data")
    assert banner < text.index("Parameters:") < text.index("\nshop-prod\n")
    assert (
        "!!   shop-prod/DataStack/OrdersDbCluster (AWS::RDS::DBCluster): Modify, replacement True, forced by DatabaseName"
        in text
    )
    assert "│  ├─ OrdersDbCluster" in text and "replacement=True" in text
    assert "forced by: DatabaseName (edited)" in text
    assert "ApiImageTag  1.41.0 -> 1.42.0" in text
    assert "changes: Parameters (parameter ApiImageTag)" in text  # why the service stack changes


def test_removals_and_conditional_replacement_of_data():
    review = review_of("remove_bucket_conditional_cache.json")
    by_id = {c.logical_id: c for c in review.changes}
    assert by_id["UploadsBucket"].risk == "danger" and "retained" in by_id["UploadsBucket"].risk_reason
    assert by_id["SessionsCache"].risk == "danger"
    assert by_id["SessionsCache"].replacement_causes == ["SubnetIds"]
    assert by_id["ReportsStack"].risk == "danger"  # a whole nested stack goes
    assert by_id["CacheSecurityGroup"].risk == "warn"
    assert by_id["SessionsCacheAlarm"].risk == "info"
    assert review.parameters == ()  # the image tag did not change


def test_create_review_is_all_info_with_new_parameters():
    review = review_of("create_new_stack.json")
    assert review.change_set_type == "CREATE"
    assert {c.risk for c in review.changes} == {"info"}
    assert [c.path for c in review.changes][:2] == ["shop-dev/NetworkStack", "shop-dev/NetworkStack/Vpc"]
    assert review.parameters == (rv.ParameterChange("shop-dev", "ApiImageTag", None, "1.42.0"),)
    assert "(new stack)" in rv.render_text(review)


def test_no_changes_is_recognised_from_the_change_set_status():
    review = review_of("no_changes.json")
    assert review.no_changes and not review.executable
    assert rv.render_text(review).startswith("No changes")
    # A FAILED change set for another reason is not "no changes".
    broken = load_fixture("changesets", "no_changes.json")["DescribeChangeSet"][0] | {
        "StatusReason": "Template format error: Unresolved resource dependencies [Vpc] in the Resources block of the template"
    }
    assert not rv.is_no_change(broken)


def test_json_keys_are_stable():
    data = rv.to_json(review_of("update_replaces_database.json"))
    json.dumps(data)  # serialisable as is
    assert list(data) == [
        "version", "stack", "change_set", "no_changes", "summary", "parameters", "changes", "security", "notes"
    ]  # fmt: skip
    assert data["version"] == rv.JSON_VERSION == 2
    assert list(data["change_set"]) == ["id", "name", "type", "status", "status_reason", "execution_status"]
    assert data["summary"] == {
        "changes": 7,
        "danger": 2,
        "warn": 2,
        "info": 3,
        "add": 0,
        "modify": 7,
        "remove": 0,
        "import": 0,
        "dynamic": 0,
        "replacements": 4,
    }
    assert list(data["changes"][1]) == [
        "stack",
        "action",
        "logical_id",
        "physical_id",
        "type",
        "replacement",
        "replacement_causes",
        "details",
        "policy_action",
        "risk",
        "risk_reason",
        "nested_change_set",
        "security",
        "deployment",
    ]
    assert data["changes"][1]["stack"] == "shop-prod/DataStack"
    assert data["changes"][0]["nested_change_set"] is True
    assert list(data["changes"][1]["details"][0]) == [
        "attribute",
        "name",
        "requires_recreation",
        "evaluation",
        "change_source",
        "causing_entity",
        "path",
        "before",
        "after",
        "change_type",
    ]


def test_markdown_for_pull_requests():
    md = rv.render_markdown(review_of("update_replaces_database.json"))
    assert md.startswith("### stackc plan: `shop-prod` (update)")
    assert "> [!CAUTION]" in md
    assert "> - **Modify** `shop-prod/DataStack/OrdersDbCluster` (AWS::RDS::DBCluster), forced by `DatabaseName`" in md
    assert "| `ApiImageTag` | `1.41.0` | `1.42.0` |" in md
    assert (
        "| 🔴 **danger** | DataStack | Modify | `OrdersDbCluster` | AWS::RDS::DBCluster | **True** | `DatabaseName` |"
        in md
    )
    assert (
        "| info | (root) | Modify | `ApiStack` | AWS::CloudFormation::Stack | False | Parameters (parameter ApiImageTag) |"
        in md
    )
    table = md.split("| Risk | Stack |", 1)[1].splitlines()[2:]
    assert len([line for line in table if line.startswith("| ")]) == 7


def test_every_stateful_type_is_at_least_a_warning_when_replaced():
    """parts/stateful.py decides what holds data; a new stateful type must be classified here too."""
    for rtype in STATEFUL_POLICIES:
        risk, _ = rv.classify("Modify", rtype, "True")
        assert risk in ("danger", "warn"), rtype
        assert rtype in rv.DATA_TYPES | rv.RETAINED_TYPES, f"{rtype}: add it to review.DATA_TYPES or RETAINED_TYPES"


# The CLI's decisions on a review (exit 3, --allow-replace, plan formats, the library's question) run on the
# local endpoint: tests/test_review_decisions.py.
