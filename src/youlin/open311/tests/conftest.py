import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key(demo):
    """An Open311 key of the city's 12345 platform, made through the real service."""
    from youlin.open311.services import apikey_create

    _row, raw = apikey_create(name="12345平台")
    return raw
