"""Who may call the USSD webhooks: USSD gateways do not sign their callbacks, so we check where they come from.

Two checks, each applied when configured, both when both are:
- `USSD_ALLOWED_IPS`: the caller's address must fall in one of these addresses or CIDR blocks
  (ask the gateway for its callback addresses). The address is `request.remote_addr`, the TCP
  peer: behind a reverse proxy, wrap the app in werkzeug's `ProxyFix(app.wsgi_app, x_for=1)`
  with one hop per trusted proxy, so that the peer is read from the proxy's X-Forwarded-For
  and never from a header any caller can set;
- `USSD_SHARED_SECRET`: a secret put in the callback URL configured at the gateway
  (`https://.../ussd/africastalking?secret=...`) or sent as the `X-Ussd-Secret` header,
  compared in constant time. URLs end up in access logs: rotate the secret if one leaks.

With neither configured the webhooks refuse every call: anyone could otherwise post answers,
or a STOP, in any citizen's name, since a phone number is all a request carries.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from functools import lru_cache

from flask import Request

from palabre.config import Config

log = logging.getLogger(__name__)

SECRET_PARAM = "secret"
SECRET_HEADER = "X-Ussd-Secret"
NOT_CONFIGURED = "USSD is not configured: set USSD_SHARED_SECRET or USSD_ALLOWED_IPS"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def refusal(request: Request, config: Config) -> str | None:
    """Why this request may not use the USSD webhooks, or None when it may."""
    if not config.USSD_ALLOWED_IPS and not config.USSD_SHARED_SECRET:
        return NOT_CONFIGURED
    if config.USSD_ALLOWED_IPS and not address_allowed(request.remote_addr, config.USSD_ALLOWED_IPS):
        return "this address may not call the USSD webhook"
    if config.USSD_SHARED_SECRET and not secret_matches(_given_secret(request), config.USSD_SHARED_SECRET):
        return "missing or wrong USSD secret"
    return None


def address_allowed(address: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether an IP address falls in the allow-list."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks(allowed))


@lru_cache(maxsize=8)
def networks(allowed: tuple[str, ...]) -> tuple[Network, ...]:
    """The allow-list parsed once; a malformed entry is logged and allows nothing."""
    parsed = []
    for entry in allowed:
        try:
            parsed.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            log.error("USSD_ALLOWED_IPS: ignoring %r, not an IP address or CIDR block", entry[:50])
    return tuple(parsed)


def secret_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so the time taken tells nothing about the secret."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _given_secret(request: Request) -> str | None:
    return request.headers.get(SECRET_HEADER) or request.args.get(SECRET_PARAM)
