"""The whole system: one typed, frozen model composed of each concern's config."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import Field, PrivateAttr, field_validator

from .base import Finding, Model, Name, Region, prefixed
from .cluster import Cluster
from .data import AnyStore, Key, check_data
from .failover import Failover, check_multi_region
from .loadbalancing import LoadBalancer
from .names import check_logical_names
from .network import Network
from .observability import Observability
from .replication import Replication
from .secrets import Secret, check_names, physical_name
from .services import Service
from .services_check import check_services
from .waivers import Waiver

# The key a prod system creates for its logs and alarm topic when `observability.key` names none.
SYSTEM_KEY = "system"


class System(Model):
    description: str = ""
    regions: list[Region] = Field(default_factory=lambda: ["us-east-1"], min_length=1)
    protect: bool = Field(False, description="termination protection and refusal to destroy")
    # Prod gets the secure defaults and the prod lint rules (README "Security"); an env file named
    # prod/production/prod-* is prod unless it says `prod: false` (config/load.py).
    prod: bool = Field(False, description="production: secure defaults on, prod lint rules apply")
    # The only source of suppressed findings: each a decision with a reason (config/waivers.py).
    waivers: list[Waiver] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)
    network: Network = Network()
    cluster: Cluster = Cluster()
    data: dict[Name, AnyStore] = Field(default_factory=dict)  # stores, chosen by `kind` (config/data.py)
    keys: dict[Name, Key] = Field(default_factory=dict)  # customer managed KMS keys
    failover: Failover | None = None  # Route 53 active/passive across the two regions
    # Per region, a mapping deep-merged onto this file for that region (config/failover.py).
    region_overrides: dict[Region, dict[str, Any]] = Field(default_factory=dict)
    secrets: dict[Name, Secret] = Field(default_factory=dict)
    # Physical names `<prefix><name>` for every secret without its own `name` (e.g. "docuthinker/";
    # "" names each by its key). Default: none, CloudFormation names them. A replacement trap: see Secret.
    secret_prefix: str | None = None
    services: dict[Name, Service] = Field(default_factory=dict)
    load_balancers: dict[Name, LoadBalancer] = Field(default_factory=dict)
    observability: Observability = Observability()
    # How the other regions get the primary's images and secret values (config/replication.py).
    replication: Replication = Replication()
    # Set by `failover.for_region` on a regional view (whose `regions` start with its own region): the
    # system's primary region, which that view can no longer tell from its `regions`.
    _primary: str | None = PrivateAttr(None)

    @field_validator("regions")
    @classmethod
    def _unique_regions(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("each region may appear once")
        return v

    @field_validator("tags")
    @classmethod
    def _tag_keys(cls, v: dict[str, str]) -> dict[str, str]:
        for key in v:
            if key.startswith("aws:") or not 1 <= len(key) <= 128:
                raise ValueError(f"tag key {key!r}: 1-128 characters, not starting with 'aws:'")
        return v

    # -- prod defaults (README "Security"): each None in the params resolved here, once ------------

    def logs_key_name(self) -> str | None:
        """The key of the system's log groups and alarm topic: `observability.key`, else in prod the
        key the system creates (SYSTEM_KEY), else none."""
        key = self.observability.key
        if key is False:
            return None
        if key is None:
            return SYSTEM_KEY if self.prod else None
        return key

    def all_keys(self) -> dict[str, Key]:
        """`keys:` plus the key the system creates when prod needs one and the params name none."""
        if self.logs_key_name() == SYSTEM_KEY and SYSTEM_KEY not in self.keys:
            return {**self.keys, SYSTEM_KEY: Key(description="stackc: log groups and the alarm topic (prod)")}
        return dict(self.keys)

    def secret_key_name(self, name: str) -> str | None:
        """The key a secret this system creates is encrypted with: its `key`, else in prod the system's key
        (the one its logs use: observability.key or the created SystemKey), else the AWS managed one (None)."""
        secret = self.secrets[name]
        if secret.key is not None or secret.existing is not None:
            return secret.key
        return self.logs_key_name() if self.prod else None

    def store_secret_key_name(self, store: str) -> str | None:
        """The key of the secret a store generates (credentials, auth token, user password): the store's own
        `key`, else in prod the system's key. The store's storage keeps its `key` alone (changing that
        replaces a database; a secret's key changes in place)."""
        config = self.data[store]
        if getattr(config, "existing", None) is not None or config.key is not None:
            return config.key
        return self.logs_key_name() if self.prod else None

    def secret_config(self, name: str) -> Secret | None:
        """`secrets.<name>` with the key it gets (`secret_key_name`); None for a name that is not one."""
        secret = self.secrets.get(name)
        if secret is None:
            return None
        key = self.secret_key_name(name)
        return secret if key == secret.key else secret.model_copy(update={"key": key})

    def flow_logs_on(self) -> bool:
        enabled = self.network.flow_logs.enabled
        return self.prod if enabled is None else enabled

    def egress_of(self, service: str) -> list | str:
        """A service's egress: its `egress:`, else narrowed ([]) in prod and "all" elsewhere."""
        egress = self.services[service].egress
        if egress is None:
            return [] if self.prod else "all"
        return egress

    def readonly_root(self, value: bool | None) -> bool:
        return self.prod if value is None else value

    @property
    def region(self) -> str:
        """The primary region (the first listed)."""
        return self.regions[0]

    @property
    def primary_region(self) -> str:
        """Where the originals live and what deploys first: failover's primary, else the first region listed."""
        if self.failover is not None:
            return self.failover.primary
        return self._primary or self.regions[0]

    def images_replicated_from(self) -> str | None:
        """The primary region whose repositories this region reads copies of (no repository is created
        here), or None when this region creates its own."""
        if len(self.regions) > 1 and self.replication.images != "per-region" and self.region != self.primary_region:
            return self.primary_region
        return None

    def image_replica_regions(self) -> list[str]:
        """The regions this region's stack replicates the system's repositories to (the primary, `stack` only)."""
        if len(self.regions) > 1 and self.replication.images == "stack" and self.region == self.primary_region:
            return [r for r in self.regions if r != self.region]
        return []

    def secrets_replicated_from(self) -> str | None:
        """The primary region whose secrets this region reads replicas of, or None when it creates its own."""
        if len(self.regions) > 1 and self.replication.secrets == "replicate" and self.region != self.primary_region:
            return self.primary_region
        return None

    def secret_replica_regions(self) -> list[str]:
        """The replica regions of the secrets this region creates (the primary's, with `replicate`)."""
        if len(self.regions) > 1 and self.replication.secrets == "replicate" and self.region == self.primary_region:
            return [r for r in self.regions if r != self.region]
        return []

    def replicated_secret(self, name: str) -> str | None:
        """The physical name under which secret `name` is read as the primary's replica here, or None."""
        secret = self.secrets[name]
        if secret.existing is not None or self.secrets_replicated_from() is None:
            return None
        return self.secret_name(name)

    def secret_name(self, name: str) -> str | None:
        """The physical name of secret `name`, or None when CloudFormation names it."""
        return physical_name(name, self.secrets[name], self.secret_prefix)

    def check(self) -> Iterator[Finding]:
        """Every cross-field and cross-reference rule, with paths from the top of the file."""
        yield from prefixed(("network",), self.network.check())
        yield from prefixed(("cluster",), self.cluster.check())
        yield from check_data(self.data, self.keys)
        for name, secret in self.secrets.items():
            if secret.key is not None and secret.key not in self.keys:
                yield Finding(
                    ("secrets", name, "key"),
                    f"unknown key {secret.key!r}; expected one of: "
                    + (", ".join(self.keys) or "(no keys: add one under `keys:`)"),
                    secret.key,
                )
        yield from check_names(self.secrets, self.secret_prefix)
        yield from self._check_replication()
        yield from self._check_edges()
        yield from prefixed(("observability",), self.observability.check())
        topic = self.observability.alarm_topic_arn
        if topic is not None and topic.split(":")[3] not in self.regions:
            yield Finding(
                ("observability", "alarm_topic_arn"),
                f"CloudWatch alarms publish only to a topic in their own region ({', '.join(self.regions)}); "
                "a multi-region system names one per region in region_overrides",
                topic,
            )
        key = self.observability.key
        if isinstance(key, str) and key not in self.keys:
            yield Finding(
                ("observability", "key"),
                f"unknown key {key!r}; expected one of: "
                + (", ".join(self.keys) or "(no keys: add one under `keys:`)"),
                key,
            )
        yield from self._check_uses()
        if self.failover is not None:
            yield from prefixed(("failover",), self.failover.check())
        yield from check_multi_region(self)
        yield from check_services(self)
        yield from check_logical_names(self)

    def _check_edges(self) -> Iterator[Finding]:
        for name, lb in self.load_balancers.items():
            edge = lb.edge
            if edge is None:
                continue
            path = ("load_balancers", name, "edge")
            if len(self.regions) > 1:
                yield Finding(
                    path, "CloudFront in front of a multi-region system is not built (one region only)", None, False
                )
            elif edge.waf and edge.web_acl_arn is None and self.region != "us-east-1":
                yield Finding(
                    path + ("waf",),
                    f"a CloudFront web ACL lives in us-east-1 and this system deploys to {self.region}: give "
                    "web_acl_arn (one made there), or leave waf unset (the load balancer's own ACL filters)",
                    edge.waf,
                )
            elif edge.web_acl_arn is not None and edge.waf is False:
                yield Finding(path + ("web_acl_arn",), "waf: false and a web ACL contradict each other", None, False)

    def _check_replication(self) -> Iterator[Finding]:
        if len(self.regions) == 1:
            if "replication" in self.model_fields_set:
                yield Finding(("replication",), "applies to a system with several regions", None, False)
            return
        if self.replication.secrets != "replicate":
            return
        for name, secret in self.secrets.items():
            if secret.existing is None and self.secret_name(name) is None:
                yield Finding(
                    ("secrets", name),
                    "a secret replicated to the other regions needs a fixed name, which is how they find the "
                    "replica: set secret_prefix or secrets."
                    f"{name}.name (or replication.secrets: per-region)",
                    None,
                    False,
                )

    def _check_uses(self) -> Iterator[Finding]:
        known = [*self.data, *self.keys]
        for name, svc in self.services.items():
            for i, used in enumerate(svc.uses):
                if used not in known:
                    yield Finding(
                        ("services", name, "uses", i),
                        f"service {name!r} uses unknown store {used!r}; "
                        f"expected one of: {', '.join(known) or '(none: add it under data: or keys:)'}",
                        used,
                    )
