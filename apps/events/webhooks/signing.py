"""Secrets and signatures as the Standard Webhooks specification defines them.

Signing uses the ``standardwebhooks`` package (the reference implementation receivers
verify with); with two valid secrets after a rotation the header carries both
signatures, space-separated, so receivers holding either one accept the message.
"""

import base64
import secrets
from datetime import datetime

from standardwebhooks import Webhook

SECRET_BYTES = 32


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def webhook_id_for(event_uid, subscription_id: int) -> str:
    """Stable per (event, subscription): a redelivery carries the same id."""
    return f"msg_{event_uid.hex}_{subscription_id}"


def signature_header(secrets_: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    return " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets_)


def headers_for(secrets_: list[str], msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(secrets_, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "mesh-catalog-webhooks/1",
    }
