"""templates_src/replacement.py: replacement predicted from the resource schemas cfn-lint ships.

Small template pairs, one behaviour each, then the repository's own params compiled before and after an
edit (a renamed database, a renamed store, a changed EFS access point path)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from templates_src.naming import pascal
from templates_src.replacement import MISSING, predict, references, type_rules
from tests.helpers import PARAMS_DIR, build


def tpl(resources: dict, parameters: dict | None = None) -> dict:
    out: dict = {"Resources": resources}
    if parameters:
        out["Parameters"] = parameters
    return out


def res(rtype: str, **props) -> dict:
    return {"Type": rtype, "Properties": props}


def edited(template: dict, logical_id: str, **props) -> dict:
    new = copy.deepcopy(template)
    new["Resources"][logical_id]["Properties"].update(props)
    return new


BASE = tpl(
    {
        "Db": res(
            "AWS::RDS::DBCluster", Engine="aurora-postgresql", DatabaseName="app", DBSubnetGroupName={"Ref": "Subnets"}
        ),
        "Subnets": res("AWS::RDS::DBSubnetGroup", DBSubnetGroupDescription="db", SubnetIds=["subnet-1", "subnet-2"]),
        "Instance": res("AWS::RDS::DBInstance", DBClusterIdentifier={"Ref": "Db"}, DBInstanceClass="db.t4g.medium"),
        "Sg": res("AWS::EC2::SecurityGroup", GroupDescription="db", VpcId="vpc-1"),
    }
)


def test_same_template_predicts_nothing():
    assert predict(BASE, copy.deepcopy(BASE)) == {}


def test_literal_create_only_change_is_true_and_named():
    p = predict(BASE, edited(BASE, "Db", DatabaseName="shop"))
    assert p["Db"].action == "Modify"
    assert p["Db"].replacement == "True"
    assert p["Db"].forcing == ("DatabaseName",)
    (change,) = [c for c in p["Db"].changes if c.name == "DatabaseName"]
    assert (change.before, change.after, change.requires_recreation) == ("app", "shop", "Always")


def test_update_in_place_is_false():
    p = predict(BASE, edited(BASE, "Instance", DBInstanceClass="db.r6g.large"))
    assert p["Instance"].replacement == "False"
    assert p["Instance"].forcing == ()
    assert set(p) == {"Instance"}


def test_a_generated_secret_whose_recipe_changes_gets_a_new_value_in_place():
    spec = {"SecretStringTemplate": '{"username": "app", "dbname": "shop"}', "GenerateStringKey": "password"}
    old = tpl({"Secret": res("AWS::SecretsManager::Secret", Description="db", GenerateSecretString=spec)})
    renamed = edited(old, "Secret", GenerateSecretString={**spec, "SecretStringTemplate": '{"username": "app"}'})
    p = predict(old, renamed)
    assert p["Secret"].replacement == "False"
    assert len(p["Secret"].notes) == 1 and "generate a new secret value" in p["Secret"].notes[0]
    assert predict(old, edited(old, "Secret", Description="other"))["Secret"].notes == ()  # value kept


def test_added_and_removed_create_only_property_forces_replacement():
    new = copy.deepcopy(BASE)
    del new["Resources"]["Db"]["Properties"]["DatabaseName"]
    change = predict(BASE, new)["Db"].changes[0]
    assert (change.name, change.after, change.requires_recreation) == ("DatabaseName", MISSING, "Always")
    assert predict(new, BASE)["Db"].replacement == "True"


def test_nested_create_only_path_is_named_and_siblings_are_not():
    base = tpl(
        {"Ap": res("AWS::EFS::AccessPoint", FileSystemId="fs-1", RootDirectory={"Path": "/a"}, AccessPointTags=[])}
    )
    moved = edited(base, "Ap", RootDirectory={"Path": "/b"})
    assert predict(base, moved)["Ap"].replacement == "True"
    assert predict(base, moved)["Ap"].forcing == ("RootDirectory/Path",)
    check = tpl({"Hc": res("AWS::Route53::HealthCheck", HealthCheckConfig={"Type": "HTTPS", "FailureThreshold": 3})})
    assert (
        predict(check, edited(check, "Hc", HealthCheckConfig={"Type": "HTTPS", "FailureThreshold": 5}))[
            "Hc"
        ].replacement
        == "False"
    )
    p = predict(check, edited(check, "Hc", HealthCheckConfig={"Type": "HTTP", "FailureThreshold": 3}))["Hc"]
    assert (p.replacement, p.forcing) == ("True", ("HealthCheckConfig/Type",))


def test_list_wildcard_paths_compare_every_item():
    rules = type_rules("AWS::EC2::TransitGatewayConnectPeer")
    assert rules is not None and ("ConnectPeerConfiguration", "BgpConfigurations", "*", "PeerAsn") in rules.create_only
    base = tpl(
        {
            "Peer": res(
                "AWS::EC2::TransitGatewayConnectPeer",
                TransitGatewayAttachmentId="tgw-attach-1",
                ConnectPeerConfiguration={"PeerAddress": "10.0.0.1", "BgpConfigurations": [{"PeerAsn": 65000}]},
            )
        }
    )
    new = copy.deepcopy(base)
    new["Resources"]["Peer"]["Properties"]["ConnectPeerConfiguration"]["BgpConfigurations"][0]["PeerAsn"] = 65001
    assert predict(base, new)["Peer"].forcing == ("ConnectPeerConfiguration/BgpConfigurations/*/PeerAsn",)


def test_changed_ref_target_is_conditional():
    base = tpl(
        {**BASE["Resources"], "Other": res("AWS::RDS::DBSubnetGroup", DBSubnetGroupDescription="o", SubnetIds=["s"])}
    )
    p = predict(base, edited(base, "Db", DBSubnetGroupName={"Ref": "Other"}))
    assert p["Db"].replacement == "Conditional"
    assert p["Db"].forcing == ("DBSubnetGroupName",)
    assert p["Db"].changes[0].requires_recreation == "Conditionally"


def test_an_identical_intrinsic_next_to_a_literal_change_keeps_it_certain():
    logs = {"LogDriver": "awslogs", "Options": {"awslogs-group": {"Ref": "Logs"}}}
    base = tpl(
        {"Task": res("AWS::ECS::TaskDefinition", ContainerDefinitions=[{"Image": "app:1", "LogConfiguration": logs}])}
    )
    new = edited(base, "Task", ContainerDefinitions=[{"Image": "app:2", "LogConfiguration": logs}])
    assert predict(base, new)["Task"].replacement == "True"
    moved = edited(
        base,
        "Task",
        ContainerDefinitions=[
            {"Image": "app:1", "LogConfiguration": {**logs, "Options": {"awslogs-group": {"Ref": "Other"}}}}
        ],
    )
    assert predict(base, moved)["Task"].replacement == "Conditional"


def test_changed_getatt_target_and_literal_to_intrinsic_are_conditional():
    base = tpl({"Sg": res("AWS::EC2::SecurityGroup", GroupDescription="x", VpcId={"Fn::GetAtt": ["VpcA", "VpcId"]})})
    assert predict(base, edited(base, "Sg", VpcId={"Fn::GetAtt": ["VpcB", "VpcId"]}))["Sg"].replacement == "Conditional"
    literal = tpl({"Sg": res("AWS::EC2::SecurityGroup", GroupDescription="x", VpcId="vpc-1")})
    assert predict(literal, edited(literal, "Sg", VpcId={"Ref": "VpcId"}))["Sg"].replacement == "Conditional"


def test_reference_to_a_replaced_resource_is_conditional_via_it_and_chains():
    p = predict(BASE, edited(BASE, "Subnets", SubnetIds=["subnet-1", "subnet-3"]))
    # SubnetIds of a DB subnet group is updatable: nothing is replaced, so nothing propagates
    assert set(p) == {"Subnets"} and p["Subnets"].replacement == "False"
    p = predict(BASE, edited(BASE, "Subnets", DBSubnetGroupName="named"))  # create-only: replaces the group
    assert p["Subnets"].replacement == "True"
    assert p["Db"].replacement == "Conditional"
    assert p["Db"].changes[0].via == ("Subnets",) and not p["Db"].changes[0].edited
    assert p["Instance"].replacement == "Conditional"  # Db may be replaced, so Instance's cluster id may change
    assert p["Instance"].changes[0].via == ("Db",)
    assert "Sg" not in p


def test_reference_in_an_updatable_property_is_an_in_place_change():
    base = tpl(
        {
            "Sg": res("AWS::EC2::SecurityGroup", GroupDescription="a", VpcId="vpc-1"),
            "Rule": res("AWS::EC2::SecurityGroupIngress", GroupId="sg-1", SourceSecurityGroupId={"Ref": "Sg"}),
            "Svc": res(
                "AWS::ECS::Service",
                Cluster="c",
                NetworkConfiguration={"AwsvpcConfiguration": {"SecurityGroups": [{"Ref": "Sg"}]}},
            ),
        }
    )
    p = predict(base, edited(base, "Sg", GroupDescription="b"))
    assert p["Sg"].replacement == "True"
    assert p["Svc"].replacement == "False" and p["Svc"].changes[0].via == ("Sg",)
    assert p["Rule"].replacement == "Conditional"  # SourceSecurityGroupId is create-only on an ingress rule


def test_parameter_values_are_substituted():
    params = {"Name": {"Type": "String", "Default": "app"}, "Stage": {"Type": "String", "Default": "dev"}}
    base = tpl(
        {
            "Db": res("AWS::RDS::DBCluster", Engine="aurora-postgresql", DatabaseName={"Ref": "Name"}),
            "Sg": res("AWS::EC2::SecurityGroup", GroupDescription={"Fn::Sub": "${Stage} db"}, VpcId="vpc-1"),
        },
        params,
    )
    assert predict(base, base, new_parameters={"Name": "app"}) == {}
    p = predict(base, base, new_parameters={"Name": "shop"})
    assert p["Db"].replacement == "True" and p["Db"].forcing == ("DatabaseName",)
    assert p["Db"].changes[0].via == ("Name",)
    p = predict(base, base, old_parameters={"Stage": "dev"}, new_parameters={"Stage": "prod"})
    assert p["Sg"].replacement == "True" and p["Sg"].changes[0].via == ("Stage",)  # Fn::Sub folded
    assert "Db" not in p


def test_join_and_sub_of_known_parameters_fold_and_unknown_ones_stay_conditional():
    params = {"Tag": {"Type": "String", "Default": "1.0"}}
    image = {"Fn::Join": [":", ["repo/app", {"Ref": "Tag"}]]}
    base = tpl(
        {"Task": res("AWS::ECS::TaskDefinition", ContainerDefinitions=[{"Name": "app", "Image": image}])}, params
    )
    p = predict(base, base, new_parameters={"Tag": "1.1"})["Task"]
    assert (p.replacement, p.forcing) == ("True", ("ContainerDefinitions",))
    assert predict(base, base, new_parameters={"Tag": "1.0"}) == {}
    sub = tpl(
        {
            "Sg": res(
                "AWS::EC2::SecurityGroup", GroupDescription={"Fn::Sub": "${Other.Arn} in ${AWS::Region}"}, VpcId="v"
            )
        }
    )
    moved = edited(sub, "Sg", GroupDescription={"Fn::Sub": "${Another.Arn} in ${AWS::Region}"})
    assert predict(sub, moved)["Sg"].replacement == "Conditional"  # a resource attribute: unknown until deploy


def test_conditional_create_only_property_is_conditional():
    rules = type_rules("AWS::RDS::DBCluster")
    assert rules is not None and ("Engine",) in rules.conditional
    p = predict(BASE, edited(BASE, "Db", Engine="aurora-mysql"))
    assert p["Db"].replacement == "Conditional" and p["Db"].forcing == ("Engine",)


def test_type_change_is_true_with_a_note_that_cloudformation_refuses_it():
    new = copy.deepcopy(BASE)
    new["Resources"]["Sg"] = res("AWS::SNS::Topic")
    p = predict(BASE, new)["Sg"]
    assert (p.action, p.replacement, p.forcing, p.old_type) == ("Modify", "True", ("Type",), "AWS::EC2::SecurityGroup")
    assert "not permitted" in p.notes[0]


def test_logical_id_change_is_remove_and_add_flagged_as_a_rename():
    new = copy.deepcopy(BASE)
    new["Resources"]["AppDb"] = new["Resources"].pop("Db")
    new["Resources"]["Instance"]["Properties"]["DBClusterIdentifier"] = {"Ref": "AppDb"}
    p = predict(BASE, new)
    assert (p["Db"].action, p["Db"].renamed) == ("Remove", "AppDb")
    assert (p["AppDb"].action, p["AppDb"].renamed) == ("Add", "Db")
    assert p["Instance"].replacement == "Conditional"  # its cluster reference now names another resource


def test_rename_that_keeps_a_physical_name_is_said_to_fail():
    base = tpl({"Db": res("AWS::RDS::DBCluster", Engine="aurora-postgresql", DBClusterIdentifier="shop-db")})
    new = tpl({"ShopDb": base["Resources"]["Db"]})
    assert "already exists" in predict(base, new)["ShopDb"].notes[-1]
    two = tpl({"A": res("AWS::SNS::Topic"), "B": res("AWS::SNS::Topic")})
    assert predict(two, tpl({"C": res("AWS::SNS::Topic"), "D": res("AWS::SNS::Topic")}))["C"].renamed is None


def test_unknown_type_is_unknown_and_attributes_never_replace():
    base = tpl({"Hook": res("Custom::Thing", ServiceToken="arn", Value=1), **BASE["Resources"]})
    p = predict(base, edited(base, "Hook", Value=2))
    assert p["Hook"].replacement == "Unknown" and "no resource schema" in p["Hook"].notes[0]
    new = copy.deepcopy(BASE)
    new["Resources"]["Db"]["DeletionPolicy"] = "Snapshot"
    p = predict(BASE, new)["Db"]
    assert p.replacement == "False" and p.changes[0].attribute == "DeletionPolicy"


def test_references_reads_ref_getatt_and_sub():
    value = {
        "A": {"Ref": "Vpc"},
        "B": {"Fn::GetAtt": "Db.Endpoint.Address"},
        "C": {"Fn::Sub": ["${Name}-${AWS::Region}-${Local}-${!Literal}", {"Local": {"Ref": "Key"}}]},
        "D": [{"Fn::GetAtt": ["Lb", "DNSName"]}],
    }
    assert references(value) == {"Vpc", "Db", "Name", "Key", "Lb"}


def test_only_the_types_used_are_read():
    type_rules.cache_clear()
    predict(BASE, edited(BASE, "Db", DatabaseName="shop"))
    assert type_rules.cache_info().currsize == len({r["Type"] for r in BASE["Resources"].values()})


def test_region_without_a_type_falls_back_to_us_east_1():
    assert type_rules("AWS::RDS::DBCluster", "xx-nowhere-1") == type_rules("AWS::RDS::DBCluster")
    assert type_rules("AWS::Nothing::Here") is None


# ------------------------------------------------------------------------- over the repository's params


def copy_system(tmp_path: Path, system: str, edit) -> Path:
    """params/<system> copied to tmp_path, each of its YAML files passed through `edit(data)`."""
    root = tmp_path / "params"
    shutil.copytree(PARAMS_DIR / system, root / system)
    for path in sorted((root / system).glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        edit(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def database_store(system: str) -> str:
    stores = yaml.safe_load((PARAMS_DIR / system / "_base.yaml").read_text())["data"]
    return next(name for name, store in stores.items() if "database_name" in store)


@pytest.mark.parametrize("system,env", [("realworld", "prod"), ("vmx-ai", "prod")])
def test_renamed_database_replaces_the_store_with_the_forcing_property_named(tmp_path, system, env):
    store = database_store(system)

    def rename(data):
        if store in data.get("data", {}) and "database_name" in data["data"][store]:
            data["data"][store]["database_name"] = "renamed"

    before = build(PARAMS_DIR, system, env)
    after = build(copy_system(tmp_path, system, rename), system, env)
    p = predict(before["data"], after["data"])
    replaced = {lid: x for lid, x in p.items() if x.replacement == "True"}
    assert replaced, p
    assert {f for x in replaced.values() for f in x.forcing} & {"DatabaseName", "DBName"}
    others = [n for n in before if n != "data" and any(x.replaces for x in predict(before[n], after[n]).values())]
    assert others == []


def test_unchanged_build_predicts_nothing_for_every_template():
    a = build(PARAMS_DIR, "docuthinker", "prod")
    b = build(PARAMS_DIR, "docuthinker", "prod")
    assert all(predict(a[n], b[n]) == {} for n in a)


def test_renamed_store_is_a_remove_and_add_in_the_repo(tmp_path):
    system, env = "realworld", "prod"
    store = database_store(system)

    def rename(data):
        if store in data.get("data", {}):
            data["data"]["renamed"] = data["data"].pop(store)
        for svc in (data.get("services") or {}).values():
            if store in svc.get("uses", []):
                svc["uses"] = ["renamed" if u == store else u for u in svc["uses"]]
        for waiver in data.get("waivers") or []:  # a waiver names the store's resources (data/DbSecret)
            waiver["resource"] = waiver["resource"].replace(f"/{pascal(store)}", f"/{pascal('renamed')}")

    before = build(PARAMS_DIR, system, env)
    after = build(copy_system(tmp_path, system, rename), system, env)
    p = predict(before["data"], after["data"])
    removed = [x for x in p.values() if x.action == "Remove" and x.resource_type == "AWS::RDS::DBInstance"]
    assert len(removed) == 1 and removed[0].renamed and p[removed[0].renamed].action == "Add"
