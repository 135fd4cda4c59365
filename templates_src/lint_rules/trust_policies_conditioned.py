"""E9116: a role trusted by an AWS service that says on whose behalf it acts (templates_src/trust_sources.py)
is conditioned on aws:SourceAccount and aws:SourceArn, in every env (the confused deputy). ECS task
execution roles (a task definition's ExecutionRoleArn) are not held to it: AWS documents the conditions
for the task role only."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.trust_sources import SOURCE_ARNS, UNCONDITIONED_USES


def _services(statement: dict) -> list:
    principal = statement.get("Principal")
    services = principal.get("Service") if isinstance(principal, dict) else None
    return [services] if isinstance(services, str) else list(services or [])


def _condition_keys(statement: dict) -> set[str]:
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return set()
    return {key.lower() for block in condition.values() if isinstance(block, dict) for key in block}


def _exempt(cfn) -> set[str]:
    """Roles referenced where AWS documents no source conditions (ExecutionRoleArn)."""
    out = set()
    for r in cfn.get_resources("AWS::ECS::TaskDefinition").values():
        for use in UNCONDITIONED_USES:
            value = r.get("Properties", {}).get(use)
            if isinstance(value, dict):
                target = value.get("Fn::GetAtt") or value.get("Ref")
                out.add(target[0] if isinstance(target, list) else str(target).split(".")[0])
    return out


class TrustPoliciesConditioned(CloudFormationLintRule):
    id = "E9116"
    shortdesc = "Service trust policies say on whose behalf"
    description = (
        "An IAM role a service assumes (ECS tasks, VPC flow logs, RDS monitoring, EventBridge Scheduler) has "
        "aws:SourceAccount and aws:SourceArn conditions in its trust policy"
    )
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
    tags = ["stackc", "iam"]

    def match(self, cfn):
        matches = []
        exempt = _exempt(cfn)
        for name, r in cfn.get_resources("AWS::IAM::Role").items():
            if name in exempt:
                continue
            policy = r.get("Properties", {}).get("AssumeRolePolicyDocument") or {}
            for i, statement in enumerate(policy.get("Statement") or [] if isinstance(policy, dict) else []):
                if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                    continue
                services = [s for s in _services(statement) if s in SOURCE_ARNS]
                missing = {"aws:sourceaccount", "aws:sourcearn"} - _condition_keys(statement)
                if services and missing:
                    matches.append(
                        RuleMatch(
                            ["Resources", name, "Properties", "AssumeRolePolicyDocument", "Statement", i],
                            f"{name}: {', '.join(services)} may assume it for any account's resources; condition "
                            f"the trust on {' and '.join(sorted(missing))} (parts/iam.py trust_policy), or waive E9116",
                        )
                    )
        return matches
