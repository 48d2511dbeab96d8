"""The client's address, as far as the configured proxies can be trusted.

X-Forwarded-For is written by whoever sends the request: believed blindly, it lets anyone
choose the address that throttles and lockouts count (a new address per try). Only the
`NUM_PROXIES` proxies in front of Weijian (settings, from the environment; default 0) are
trusted, each adding one address at the end of the header; with none, REMOTE_ADDR is the
client. DRF's throttles (REST_FRAMEWORK["NUM_PROXIES"]) and django-axes
(AXES_CLIENT_IP_CALLABLE) use this same rule.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if not hops:
        return remote
    # The last `proxies` entries were added by our own proxies; the one before them is the
    # client as the outermost trusted proxy saw it.
    return hops[-min(proxies, len(hops))]
