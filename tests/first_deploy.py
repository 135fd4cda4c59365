"""What only the operator can supply before services start, put through the emulator's own APIs.

A first deploy needs the images a task pulls from the system's ECR repositories and a value in every
secret the operator fills (an empty secret has no AWSCURRENT version). These helpers supply both over
HTTP -- ECR PutImage and Secrets Manager PutSecretValue, as `docker push` and `cli.py secret set` would --
so a round-trip can go through the first-deploy path: deploy (inputs missing), supply them, deploy again.
They never read a secret's value.
"""

from __future__ import annotations

import hashlib
import json

import boto3


def _client(service: str, endpoint: str, region: str):
    return boto3.client(service, endpoint_url=endpoint, region_name=region)


def manifest(repository: str, tag: str) -> str:
    """A minimal Docker image manifest (schema 2); its digest differs per repository and tag."""
    digest = hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "config": {
                "mediaType": "application/vnd.docker.container.image.v1+json",
                "size": 1,
                "digest": f"sha256:{digest}",
            },
            "layers": [],
        }
    )


def images_in_task_definitions(endpoint: str, region: str) -> set[str]:
    """Every image the current task definitions of every service in the region name."""
    ecs = _client("ecs", endpoint, region)
    images: set[str] = set()
    for cluster in ecs.list_clusters()["clusterArns"]:
        for service_arn in ecs.list_services(cluster=cluster)["serviceArns"]:
            service = ecs.describe_services(cluster=cluster, services=[service_arn])["services"][0]
            task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
            images.update(c["image"] for c in task["containerDefinitions"])
    return images


def own_images(endpoint: str, region: str) -> list[tuple[str, str]]:
    """(repository, tag) of every image the services pull from this account's ECR in the region."""
    ecr = _client("ecr", endpoint, region)
    host = f"{ecr.describe_registry()['registryId']}.dkr.ecr.{region}.amazonaws.com/"
    found = []
    for image in sorted(images_in_task_definitions(endpoint, region)):
        if image.startswith(host) and ":" in image[len(host) :]:  # not an external registry or a digest
            repository, tag = image[len(host) :].rsplit(":", 1)
            found.append((repository, tag))
    return found


def push_image(endpoint: str, region: str, repository: str, tag: str) -> bool:
    """Put repository:tag unless it is there (what `docker push` does); True when it was put."""
    ecr = _client("ecr", endpoint, region)
    if ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]:
        return False
    ecr.put_image(repositoryName=repository, imageManifest=manifest(repository, tag), imageTag=tag)
    return True


def push_missing_images(endpoint: str, region: str) -> list[str]:
    """Put every image the services pull from this account's ECR that is not there yet; repository:tag put."""
    return [f"{r}:{t}" for r, t in own_images(endpoint, region) if push_image(endpoint, region, r, t)]


def push_retagged(endpoint: str, region: str, old: str, new: str) -> list[str]:
    """Before a tag change: put repository:new for every own image the services pull at tag `old`."""
    return [f"{r}:{new}" for r, t in own_images(endpoint, region) if t == old and push_image(endpoint, region, r, new)]


def empty_secrets(endpoint: str, region: str) -> list[str]:
    """ARNs of the secrets with no current value (what the operator still has to set)."""
    sm = _client("secretsmanager", endpoint, region)
    names = []
    for secret in sm.list_secrets()["SecretList"]:
        stages = sm.describe_secret(SecretId=secret["ARN"]).get("VersionIdsToStages") or {}
        if not any("AWSCURRENT" in s for s in stages.values()):
            names.append(secret["ARN"])
    return sorted(names)


def set_empty_secrets(endpoint: str, region: str) -> list[str]:
    """Give every empty secret a value (a placeholder the test knows); the ARNs set."""
    sm = _client("secretsmanager", endpoint, region)
    arns = empty_secrets(endpoint, region)
    for arn in arns:
        sm.put_secret_value(SecretId=arn, SecretString=f"emulator-value-{arn.rsplit(':', 1)[-1]}")
    return arns


def replicate_images(endpoint: str, region: str) -> list[str]:
    """What ECR replication does and moto does not: copy each image of the region's repositories that the
    registry's replication rules match (PREFIX_MATCH) to every destination region, creating the repository
    there as ECR does at the first replicated push. Driven by the configuration the stack wrote, so a rule
    that misses a repository leaves the other region without its image. The "<region>/<repository>:<tag>" copied."""
    ecr = _client("ecr", endpoint, region)
    rules = (ecr.describe_registry().get("replicationConfiguration") or {}).get("rules", [])
    copied = []
    for repo in ecr.describe_repositories()["repositories"]:
        name = repo["repositoryName"]
        for rule in rules:
            if not any(name.startswith(f["filter"]) for f in rule.get("repositoryFilters", [])):
                continue
            for dest in rule["destinations"]:
                there = _client("ecr", endpoint, dest["region"])
                if name not in {r["repositoryName"] for r in there.describe_repositories()["repositories"]}:
                    there.create_repository(repositoryName=name)
                for image in ecr.list_images(repositoryName=name)["imageIds"]:
                    if "imageTag" in image and push_image(endpoint, dest["region"], name, image["imageTag"]):
                        copied.append(f"{dest['region']}/{name}:{image['imageTag']}")
    return copied
