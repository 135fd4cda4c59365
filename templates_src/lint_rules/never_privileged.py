"""E9104 (FSBP ECS.4): no container is privileged, in any env."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.lint_rules._containers import containers


class NeverPrivileged(CloudFormationLintRule):
    id = "E9104"
    shortdesc = "Containers are never privileged"
    description = "No container definition sets Privileged (FSBP ECS.4)"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-4"
    tags = ["stackc", "containers"]

    def match(self, cfn):
        return [
            RuleMatch([*path, "Privileged"], f"container {c.get('Name')!r} of {task} is privileged")
            for path, task, c in containers(cfn)
            if c.get("Privileged") not in (None, False, "false")
        ]
