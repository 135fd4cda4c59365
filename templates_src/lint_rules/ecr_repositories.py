"""E9011: ECR repositories scan images on push, keep tags immutable, and expire old images.

A repository the params make mutable on purpose (`services.<n>.ecr.tag_mutability: mutable`) carries
`Metadata: {stackc: {mutable_tags: "<why>"}}`, written by the builder from that setting."""

from cfnlint.rules import CloudFormationLintRule, RuleMatch


class EcrRepositories(CloudFormationLintRule):
    id = "E9011"
    shortdesc = "ECR repositories scan, pin and expire"
    description = (
        "ECR repositories have scan on push, immutable tags (a tag names one image forever) and a lifecycle policy"
    )
    source_url = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"
    tags = ["stackc", "ecr"]

    def match(self, cfn):
        matches = []
        for name, res in cfn.get_resources().items():
            if res.get("Type") != "AWS::ECR::Repository":
                continue
            props = res.get("Properties", {})
            path = ["Resources", name, "Properties"]
            if (props.get("ImageScanningConfiguration") or {}).get("ScanOnPush") is not True:
                matches.append(RuleMatch(path, f"{name}: set ImageScanningConfiguration.ScanOnPush to true"))
            waived = (res.get("Metadata") or {}).get("stackc", {}).get("mutable_tags")
            if props.get("ImageTagMutability") != "IMMUTABLE" and not waived:
                matches.append(
                    RuleMatch(path, f"{name}: set ImageTagMutability to IMMUTABLE, or record why not (Metadata.stackc)")
                )
            if not (props.get("LifecyclePolicy") or {}).get("LifecyclePolicyText"):
                matches.append(RuleMatch(path, f"{name}: add a LifecyclePolicy that expires old images"))
        return matches
