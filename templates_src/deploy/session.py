"""The one way to reach AWS (or the local endpoint): a boto3 session factory and error translation.

Every deploy module gets its clients from `Aws`; nothing else builds a boto3 session. botocore's
adaptive retry mode handles throttling. Credentials, region and profile come from the command line
or the usual AWS environment variables and files -- never from code.

boto3 is imported here, lazily, so `build` and `lint` (which never import templates_src.deploy) pay
nothing for it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import DeployError, UsageError

MAX_ATTEMPTS = 5  # adaptive mode's default is 3; a long deploy can afford a little more patience


@dataclass(frozen=True)
class AwsOptions:
    """What the command line says about where to connect; None means "the usual AWS default"."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


@dataclass
class Aws:
    """A boto3 session plus cached clients, all with the same retry and endpoint settings."""

    options: AwsOptions
    session: Any
    _clients: dict[str, Any] = field(default_factory=dict)
    _account: str | None = None

    @property
    def region(self) -> str:
        return self.session.region_name

    def client(self, service: str, region: str | None = None) -> Any:
        """A client of this session; `region`: another region's (preflight reads an ECR repository
        or a certificate where it lives), same credentials and endpoint."""
        key = service if region in (None, self.region) else f"{service}@{region}"
        if key not in self._clients:
            from botocore.config import Config

            config = Config(
                retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
                user_agent_extra="stackc",
                # A local endpoint has no virtual-host DNS for buckets.
                s3={"addressing_style": "path"} if self.options.endpoint_url else None,
            )
            self._clients[key] = self.session.client(
                service, region_name=region or self.region, endpoint_url=self.options.endpoint_url, config=config
            )
        return self._clients[key]

    @property
    def account_id(self) -> str:
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account


def connect(options: AwsOptions, default_region: str | None = None) -> Aws:
    """The session factory. `default_region` (the system's primary region) applies when neither
    --region nor the AWS environment/config names one."""
    import boto3
    import botocore.exceptions

    try:
        session = boto3.Session(profile_name=options.profile, region_name=options.region)
    except botocore.exceptions.ProfileNotFound as exc:
        raise UsageError(f"{exc} (see `aws configure list-profiles`)") from None
    if session.region_name is None:
        if default_region is None:
            raise UsageError("no AWS region: pass --region or set AWS_REGION")
        session = boto3.Session(profile_name=options.profile, region_name=default_region)
    return Aws(options, session)


def client_error_code(exc: BaseException) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "") if exc else ""


def client_error_message(exc: BaseException) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Message", "") or str(exc)


ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AllAccessDisabled",
    "Forbidden",
    "403",
}


@contextlib.contextmanager
def aws_errors(doing: str = "") -> Iterator[None]:
    """Turn botocore's exceptions into DeployError with a sentence a person can act on."""
    import botocore.exceptions as bx

    what = f" while {doing}" if doing else ""
    try:
        yield
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError) as exc:
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "") or str(exc)
        raise DeployError(
            f"cannot reach the AWS endpoint {url}{what}: nothing is listening there "
            "(check --endpoint-url / --region, the network, or that the local emulator is running)"
        ) from None
    except (bx.NoCredentialsError, bx.PartialCredentialsError) as exc:
        raise DeployError(
            f"no AWS credentials{what} ({exc}): pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        ) from None
    except bx.TokenRetrievalError as exc:
        raise DeployError(f"AWS credentials expired{what}: {exc} (run `aws sso login`)") from None
    except bx.ClientError as exc:
        code, message = client_error_code(exc), client_error_message(exc)
        op = getattr(exc, "operation_name", "")
        if code in ACCESS_DENIED:
            raise DeployError(
                f"access denied{what} ({op}): {message} -- the credentials in use lack this permission"
            ) from None
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"):
            raise DeployError(f"AWS credentials rejected{what} ({code}): {message}") from None
        raise DeployError(f"AWS {op} failed{what}: {code}: {message}") from None
    except bx.BotoCoreError as exc:
        raise DeployError(f"AWS call failed{what}: {exc}") from None
    except Exception as exc:
        # botocore.parsers.ResponseParserError: the endpoint answered with something that is not an
        # AWS response (an HTML error page, a proxy). Not a BotoCoreError subclass.
        if type(exc).__name__ != "ResponseParserError":
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        status = " (HTTP 500)" if "500 Internal Server Error" in str(exc) else ""
        raise DeployError(
            f"the AWS endpoint sent an answer that is not an AWS response{status}{what}: {first} "
            "-- a server-side error (a local emulator may lack the feature)"
        ) from None


def pages(call: Callable[..., dict[str, Any]], **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every page of a paginated call (NextToken), lazily: stop iterating to stop fetching."""
    while True:
        page = call(**kwargs)
        yield page
        if not page.get("NextToken"):
            return
        kwargs["NextToken"] = page["NextToken"]


F = TypeVar("F", bound=Callable[..., Any])


def translates_aws_errors(fn: F) -> F:
    """Decorator form of `aws_errors` for the public functions of the deploy modules."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with aws_errors():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
