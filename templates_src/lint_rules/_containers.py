"""What the container rules share: every container definition of a template, with its path."""


def containers(cfn):
    """(path, container definition) of every task definition's containers."""
    for name, r in cfn.get_resources("AWS::ECS::TaskDefinition").items():
        for i, c in enumerate(r.get("Properties", {}).get("ContainerDefinitions") or []):
            if isinstance(c, dict):
                yield ["Resources", name, "Properties", "ContainerDefinitions", i], name, c
