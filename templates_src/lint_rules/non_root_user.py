"""E9103: in prod, every container names a user that is not root (the image's default often is)."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.lint_rules._containers import containers
from templates_src.waivers import is_prod


def is_root(user: object) -> bool:
    return not isinstance(user, str) or user.split(":", 1)[0] in ("", "0", "root")


class NonRootUser(CloudFormationLintRule):
    id = "E9103"
    shortdesc = "Prod containers run as a non-root user"
    description = "In prod, every container sets User to a non-root user or uid"
    source_url = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html"
    tags = ["stackc", "prod", "containers"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        return [
            RuleMatch(
                [*path, "User"],
                f"container {c.get('Name')!r} of {task} runs as {c.get('User') or 'the image default user'}; set "
                "`user:` to a non-root uid the image supports, or waive E9103",
            )
            for path, task, c in containers(cfn)
            if is_root(c.get("User"))
        ]
