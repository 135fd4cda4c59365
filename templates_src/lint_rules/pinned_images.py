"""E9107: in prod, no image tag defaults to the mutable `latest`.

Image tags are parameters (`<Service>ImageTag`) with the env's tag as default, in the root and in the
service's stack; the finding is on the task definition that runs the image, so a waiver names it
(`service-api/ApiTaskDefinition`)."""

import json

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from templates_src.waivers import is_prod

MUTABLE = ("latest",)


class PinnedImages(CloudFormationLintRule):
    id = "E9107"
    shortdesc = "Prod images are pinned"
    description = "In prod, no *ImageTag parameter defaults to 'latest'; pin a version"
    source_url = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"
    tags = ["stackc", "prod", "containers"]

    def match(self, cfn):
        if not is_prod(cfn.template):
            return []
        mutable = [
            name
            for name, p in (cfn.template.get("Parameters") or {}).items()
            if name.endswith("ImageTag") and str(p.get("Default", "")) in MUTABLE
        ]
        matches = []
        for param in mutable:
            ref = json.dumps({"Ref": param})
            for name, resource in cfn.get_resources("AWS::ECS::TaskDefinition").items():
                if ref in json.dumps(resource):
                    matches.append(
                        RuleMatch(
                            ["Resources", name],
                            f"{name} runs image tag {param} = 'latest' in prod: a redeploy may run other code; pin a "
                            "version in `tag:`, or waive E9107",
                        )
                    )
        return matches
