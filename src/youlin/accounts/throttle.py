"""Login throttling (django-axes): failed password logins are counted per account at an address and per address.

Offices share one public address behind NAT, so an address alone gets a higher limit than an account at an
address: one person mistyping locks only themselves, and guessing across many accounts from one address stops at
the address's limit. ``AXES_LOCKOUT_PARAMETERS`` lists the two counts in order (account+address, address) and
``YOULIN_LOGIN_FAILURE_LIMITS`` their limits in the same order; a count at its limit locks that login until the
cool-off has passed or an administrator resets it (``youlin axes_reset_username``, ``axes_reset_ip``, or the
"Access attempts" page of the admin).

The counts are kept in the database (axes' database handler), not in Django's cache: the default cache lives in
each worker process, so each of N workers would count on its own and a lockout in one would not hold in the
others. With a shared cache (``CACHES`` on Redis), ``YOULIN_LOGIN_THROTTLE_STORE=cache`` keeps them there.
"""

from __future__ import annotations

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.handlers.cache import AxesCacheHandler
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_cache_keys
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str | None:
    """The client's address by the API's rule (``core.edges.client_address``), or None when there is none that is
    an IP address (a request built in code; a proxy header that is not an address): axes stores it in an IP
    address column (``inet`` on PostgreSQL)."""
    from youlin.core.edges import client_address as address_of

    address = address_of(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def limits() -> list[int]:
    """The failure limit of each lockout parameter, in ``AXES_LOCKOUT_PARAMETERS`` order."""
    return list(settings.YOULIN_LOGIN_FAILURE_LIMITS)


class _PerParameterLimits:
    """axes compares one count (``get_failures``) with one limit (``AXES_FAILURE_LIMIT``, the first of
    ``limits()``). Each parameter is compared with its own limit here; the count reported is the first
    parameter's, raised to the limit when any parameter has reached its own."""

    def failures_by_parameter(self, request, credentials) -> list[int]:
        raise NotImplementedError

    def get_failures(self, request, credentials=None) -> int:
        counts = self.failures_by_parameter(request, credentials)
        first_limit = limits()[0]
        if any(count >= limit for count, limit in zip(counts, limits(), strict=False)):
            return max(first_limit, counts[0] if counts else 0)
        return min(counts[0] if counts else 0, first_limit - 1)


class DatabaseHandler(_PerParameterLimits, AxesDatabaseHandler):
    def failures_by_parameter(self, request, credentials) -> list[int]:
        return [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]


class CacheHandler(_PerParameterLimits, AxesCacheHandler):
    def failures_by_parameter(self, request, credentials) -> list[int]:
        return [self.cache.get(key, default=0) for key in get_client_cache_keys(request, credentials)]


class ThrottledBackend(AxesStandaloneBackend):
    """axes' gate in front of the password backends. It needs the request (the address); Django's test client
    logs in without one (``Client.login``), and a call without a request is not an HTTP login, so it is left to
    the next backend. Every HTTP login (the login page, the admin's) passes the request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """The page a locked-out login gets (429, Retry-After): what happened, how long, and who can unlock it."""
    from axes.helpers import get_client_username, get_cool_off
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"username": get_client_username(request, credentials) or "", "minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
