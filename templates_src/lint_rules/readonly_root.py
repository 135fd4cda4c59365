"""E9102 (FSBP ECS.5): in prod, containers have a read-only root file system."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.lint_rules._containers import containers
from templates_src.waivers import is_prod


class ReadonlyRoot(CloudFormationLintRule):
    id = "E9102"
    shortdesc = "Prod containers have a read-only root file system"
    description = "In prod, every container sets ReadonlyRootFilesystem (FSBP ECS.5); writable paths are volumes"
    source_url = "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-5"
    tags = ["stackc", "prod", "containers"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        return [
            RuleMatch(
                [*path, "ReadonlyRootFilesystem"],
                f"container {c.get('Name')!r} of {task} can write its root file system; list the paths it writes "
                "under writable_paths (or set readonly_root_filesystem: false and waive E9102)",
            )
            for path, task, c in containers(cfn)
            if c.get("ReadonlyRootFilesystem") is not True
        ]
