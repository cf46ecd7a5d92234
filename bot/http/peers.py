"""Who is asking: /metrics answers loopback peers only, unless METRICS_PUBLIC says otherwise."""

from __future__ import annotations

import ipaddress

from starlette.requests import Request

# a request a local reverse proxy passed on comes from outside, though its peer is loopback
FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")


def from_loopback(request: Request) -> bool:
    """Whether the request comes straight from this machine (not through a proxy)."""
    host = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
    return local and not any(name in request.headers for name in FORWARDED)
