"""E9118: in prod, a serverless cache names a user group; dev is not held to it."""

from __future__ import annotations

import pytest

from .helpers import lint_rule


def cache(**extra) -> dict:
    return {
        "Type": "AWS::ElastiCache::ServerlessCache",
        "Properties": {"ServerlessCacheName": "c", "Engine": "valkey", **extra},
    }


@pytest.mark.parametrize(
    "resources, prod, found",
    [
        ({"Cache": cache(UserGroupId="c-users")}, True, []),
        ({"Cache": cache()}, True, ["Resources/Cache"]),
        ({"Cache": cache()}, False, []),
    ],
)
def test_serverless_cache_auth(tmp_path, resources, prod, found):
    assert lint_rule(tmp_path, "E9118", resources, prod=prod) == found
