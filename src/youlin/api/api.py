"""The JSON API at /api/v1/ (django-ninja): OpenAPI 3 at ``openapi.json``, browsable docs at ``docs``.

Callers authenticate with a personal token (``Authorization: Bearer …``); without one they see public data
only. Every error has one shape, ``{"code", "message", "fields"}`` (see ``errors``). The page where people
manage their tokens sits beside the API at ``tokens/``.
"""

from django.urls import path
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from youlin.api import errors
from youlin.api.routers import cases, governance, hotline, intake, ledgers, places
from youlin.domain import jsonout


class Renderer(JSONRenderer):
    """The project's one JSON encoder (``domain.jsonout``), also behind Open311."""

    def render(self, request, data, *, response_status):
        return jsonout.dumps(data)


class YoulinAPI(NinjaAPI):
    def _get_urls(self):
        from youlin.api import views

        return [
            *super()._get_urls(),
            path("tokens/", views.token_list, name="tokens"),
            path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
        ]


api = YoulinAPI(
    title="youlin API",
    version="1",
    urls_namespace="api-v1",
    renderer=Renderer(),
    description="友邻 youlin: cases, places and the community's work, for other systems. "
    "Errors: {code, message, fields}; messages follow Accept-Language (zh-hans, en).",
)
errors.install(api)
api.add_router("", cases.router)
api.add_router("", places.router)
api.add_router("", governance.router)
api.add_router("", ledgers.router)
api.add_router("", intake.router)
api.add_router("", hotline.router)
