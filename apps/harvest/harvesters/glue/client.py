"""AWS access of the Glue harvester: clients, retries with backoff, paginators, call counting.

A mixin so that the harvester reads as extraction only; the error classification
(throttled, transient, denied, refused credentials) is here, once.
"""

import threading
import time
from collections.abc import Iterator

from apps.harvest.harvesters.base import SourceError, TransientSourceError

SECRET_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
THROTTLING = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceUnavailableException",
    "InternalServiceException",
    "InternalServerException",
}
DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}
AUTH = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}


class GlueAccess:
    """AWS calls for a harvester with ``config``, ``secrets`` and a ``queries_sent`` counter."""

    backoff_base = 0.5  # seconds; doubled on each retry of a throttled call
    max_attempts = 5  # ours, around botocore's own retries (which Stubber bypasses)
    botocore_max_attempts = 3
    config: dict
    secrets: dict
    queries_sent: int
    _calls_lock: threading.Lock

    def client(self, service: str = "glue"):
        # boto3 is imported by a Glue harvest only: this module loads at every start-up (0.1 s).
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(
            profile_name=self.config.get("profile"),
            region_name=self.config["region"],
            **{k: v for k, v in (self.secrets or {}).items() if k in SECRET_KEYS and v},
        )
        retries = Config(
            retries={"max_attempts": self.botocore_max_attempts, "mode": "adaptive"},
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra="mesh-catalog",
        )
        return session.client(service, endpoint_url=self.config.get("endpoint_url"), config=retries)

    def account(self) -> str:
        if self.config.get("catalog_id"):
            return self.config["catalog_id"]
        return self._call(lambda: self.client("sts").get_caller_identity()["Account"], "sts:GetCallerIdentity")

    def namespace(self, account: str) -> str:
        return f"arn:aws:glue:{self.config['region']}:{account}"

    def _call(self, fn, what: str):
        """Run one AWS call, retrying throttling and transient network errors with backoff."""
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

        attempt = 0
        while True:
            try:
                result = fn()
                self._count_call()
                return result
            except (ClientError, EndpointConnectionError, NoCredentialsError) as exc:
                attempt += 1
                self._retry_or_raise(exc, attempt, what)

    def _retry_or_raise(self, exc: Exception, attempt: int, what: str) -> None:
        """Sleep before the next attempt of a throttled/transient call, or raise a clear error."""
        from botocore.exceptions import EndpointConnectionError, NoCredentialsError

        if isinstance(exc, NoCredentialsError):
            raise SourceError(
                f"{what}: no AWS credentials found (environment, profile or instance role)", stage="auth"
            ) from None
        transient = isinstance(exc, EndpointConnectionError)
        code = "" if transient else exc.response.get("Error", {}).get("Code", "")
        if code in AUTH:
            raise SourceError(f"{what}: the AWS credentials were refused ({code})", stage="auth") from None
        if not transient and code not in THROTTLING:
            raise exc
        if attempt >= self.max_attempts:
            if transient:
                raise TransientSourceError(f"{what}: cannot reach the endpoint ({exc})", stage="refused") from None
            raise TransientSourceError(
                f"{what}: still throttled after {attempt} attempts ({code})", stage="throttled"
            ) from None
        time.sleep(self.backoff_base * 2 ** (attempt - 1))

    def _pages(self, client, operation: str, key: str, page_size: int | None = None, **params) -> Iterator[dict]:
        """Items of a paginated operation; a throttled page is retried from its own token."""
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

        token, attempt = None, 0
        while True:
            config = {"StartingToken": token} if token else {}
            if page_size:
                config["PageSize"] = page_size
            try:
                for page in client.get_paginator(operation).paginate(**params, PaginationConfig=config):
                    attempt = 0
                    self._count_call()
                    yield from page.get(key, [])
                    token = page.get("NextToken")
                    if not token:
                        return
                return
            except (ClientError, EndpointConnectionError, NoCredentialsError) as exc:
                attempt += 1
                self._retry_or_raise(exc, attempt, operation)

    def _count_call(self) -> None:
        """AWS calls answered, for the run report's ``source_queries`` (threads share the count)."""
        with self._calls_lock:
            self.queries_sent += 1

    def _catalog_params(self) -> dict:
        return {"CatalogId": self.config["catalog_id"]} if self.config.get("catalog_id") else {}
