"""Read replicas (``YOULIN_DATABASE_REPLICA_URLS``): only views marked ``@replica_reads`` read from one, never a
write, never a read inside a transaction, never the session of the person asking."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from youlin.cases.models import Case
from youlin.core.replicas import ReplicaRouter, replica_reads


@pytest.fixture
def replicas(monkeypatch):
    """Two replicas configured (overriding DATABASES itself is not supported in a running test)."""
    from youlin.core import replicas as module

    monkeypatch.setattr(module, "replica_aliases", lambda: ["replica1", "replica2"])


def routed(method: str = "get"):
    seen = {}

    @replica_reads
    def view(request):
        router = ReplicaRouter()
        seen["read"] = router.db_for_read(Case)
        seen["write"] = router.db_for_write(Case)
        with transaction.atomic():
            seen["read_in_transaction"] = router.db_for_read(Case)
        return HttpResponse()

    view(getattr(RequestFactory(), method)("/"))
    seen["read_after"] = ReplicaRouter().db_for_read(Case)
    return seen


def test_a_marked_page_reads_from_a_replica_and_writes_to_the_primary(replicas, transactional_db):
    seen = routed()
    assert seen["read"] in {"replica1", "replica2"}
    assert seen["write"] == "default"
    assert seen["read_in_transaction"] == "default"
    assert seen["read_after"] == "default"  # the mark ends with the view


def test_a_post_to_a_marked_view_stays_on_the_primary(replicas, transactional_db):
    assert routed("post")["read"] == "default"


def test_without_replicas_everything_is_the_primary(db):
    assert routed()["read"] == "default"


def test_unmarked_reads_stay_on_the_primary(replicas):
    assert ReplicaRouter().db_for_read(Case) == "default"
    assert ReplicaRouter().allow_migrate("replica1", "cases") is False


def test_the_client_address_behind_one_proxy_is_the_one_it_appended(settings):
    from youlin.core.edges import client_address

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == "127.0.0.1"  # no proxy configured: a forged header counts for nothing
    settings.YOULIN_PROXY_HOPS = 1
    assert client_address(request) == "10.1.2.3"  # what nginx appended, not what the client claimed
    settings.YOULIN_PROXY_HOPS = 2
    assert client_address(request) == "6.6.6.6"
