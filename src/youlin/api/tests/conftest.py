import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class Api:
    """A test client speaking to /api/v1/ as one user (or nobody)."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _headers(self, language):
        return {**self.headers, **({"Accept-Language": language} if language else {})}

    def get(self, path, params=None, *, language=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self._headers(language))

    def post(self, path, json=None, *, language=None):
        return self.client.post(
            f"/api/v1{path}", json or {}, content_type="application/json", headers=self._headers(language)
        )

    def post_form(self, path, data, *, language=None):
        return self.client.post(f"/api/v1{path}", data, headers=self._headers(language))


@pytest.fixture
def api(client, demo_user):
    """``api("spk_staff")`` speaks with that demo user's personal token; ``api(None)`` anonymously."""
    from youlin.api.services import token_create

    def make(username: str | None) -> Api:
        if username is None:
            return Api(client, None)
        _row, raw = token_create(user=demo_user(username), name="tests")
        return Api(client, raw)

    return make
