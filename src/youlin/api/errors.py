"""One error shape for the whole API: ``{"code", "message", "fields"}``, a stable code, a translated message and
the right HTTP status. Every exception an endpoint can raise is turned into it here."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from youlin.core.edges import is_busy
from youlin.core.health import database_unavailable
from youlin.domain.errors import DomainError


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message, fields: dict[str, str] | None = None):
        super().__init__(str(message))
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}


# Every operation documents these, so a client (and schemathesis) knows each error's shape.
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429, 503)
ERRORS = dict.fromkeys(ERROR_STATUSES, ErrorOut)

# A refusal's HTTP status, by its code; every app's codes are here (one vocabulary for clients).
STATUS_BY_CODE = {
    "illegal_transition": 409,
    "illegal_stage": 409,
    "conflict": 409,
    "already_done": 409,
    "window_closed": 409,
    "notice_closed": 409,
    "no_quorum": 409,
    "tie": 409,
    "full": 409,
    "permission_denied": 403,
    "no_voting_right": 403,
    "outside_jurisdiction": 404,
    "not_found": 404,
    "invalid_input": 422,
    "unknown_place": 422,
    "outside_community": 422,
    "import_refused": 422,
    "storage_unavailable": 503,
}
# Detailed codes answered with the general one clients know.
PUBLIC_CODE = {
    "invalid_coordinates": "invalid_input",
    "invalid_crs": "invalid_input",
    "invalid_geometry": "invalid_input",
    "self_intersecting": "invalid_input",
}


def error_response(status: int, code: str, message, fields: dict[str, str] | None = None) -> HttpResponse:
    """The error shape outside an endpoint (``core.edges`` refuses input before any view runs)."""
    from youlin.domain import jsonout

    body = jsonout.dumps({"code": code, "message": str(message), "fields": fields or {}})
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def not_authenticated() -> ApiError:
    return ApiError(401, "not_authenticated", _("请先登录：在请求头中带上 Authorization: Bearer <令牌>。"))


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("没有找到，或您无权查看。"))


def too_large(limit_bytes: int | None = None) -> ApiError:
    if limit_bytes:
        return ApiError(
            413,
            "too_large",
            _("提交的内容太大（上限 %(mb).0f MB），请压缩照片或分次提交。") % {"mb": limit_bytes / 1024 / 1024},
        )
    return ApiError(413, "too_large", _("提交的内容太大，请压缩照片或分次提交。"))


def from_domain_error(exc: DomainError) -> ApiError:
    """Any service's refusal: its code (``PUBLIC_CODE`` generalises a detailed one), the status for that code
    (unknown codes are bad input, 422) and, when it names a field, the message under that field."""
    code = PUBLIC_CODE.get(str(exc.code), str(exc.code))
    status = STATUS_BY_CODE.get(code, 422)
    if code == "outside_jurisdiction" and exc.field:
        status = 422  # a point outside every community is bad input, not a hidden case
    fields = {exc.field: str(exc.message)} if exc.field else {}
    return ApiError(status, code, exc.message, fields)


def _field_name(loc) -> str:
    # ("body", "payload", "expected_version") → "expected_version"; ("query", "limit") → "limit".
    parts = [str(p) for p in loc[1:] if p not in {"payload", "filters", "data"}]
    return ".".join(parts) or str(loc[-1])


def unavailable() -> ApiError:
    error = ApiError(503, "unavailable", _("服务暂时不可用（数据库无法连接），请稍后再试。"))
    error.retry_after = 30
    return error


def busy() -> ApiError:
    """The database is there but was held by another writer until the busy timeout ran out (``core.edges``)."""
    from youlin.core import edges

    refusal = edges.busy()
    error = ApiError(refusal.status, refusal.code, refusal.message)
    error.retry_after = edges.retry_after()
    return error


def database_unavailable_response():
    """The API's 503 for a lost database outside an endpoint (``youlin.core.views.server_error`` uses it)."""
    error = unavailable()
    response = JsonResponse({"code": error.code, "message": str(error.message), "fields": {}}, status=503)
    response["Retry-After"] = str(error.retry_after)
    return response


def to_api_error(exc: Exception) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if is_busy(exc):
        return busy()
    if database_unavailable(exc):
        return unavailable()
    if isinstance(exc, DomainError):
        return from_domain_error(exc)
    if isinstance(exc, ValidationError):
        fields = {_field_name(e.get("loc", ("body",))): str(e.get("msg", "")) for e in exc.errors}
        return ApiError(422, "invalid_input", _("请求中有字段不正确，请按 fields 中的说明修改后再提交。"), fields)
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return too_large()
    if isinstance(exc, Http404):
        return not_found()
    if isinstance(exc, AuthenticationError):
        return not_authenticated()
    if isinstance(exc, HttpError):
        status = exc.status_code
        if status == 400:
            return ApiError(400, "bad_request", _("请求格式不正确（例如 JSON 无法解析），请检查后再提交。"))
        if status == 403:
            return ApiError(403, "permission_denied", _("您没有权限进行此操作。"))
        return ApiError(status, "error", str(exc))
    return None


def install(api) -> None:
    """Route every exception of ``api`` through one handler."""

    def handle(request, exc):
        error = to_api_error(exc)
        if error is None:
            raise exc  # a bug: let Django log it and answer 500
        response = api.create_response(
            request,
            {"code": error.code, "message": str(error.message), "fields": error.fields},
            status=error.status,
        )
        if error.status in (429, 503) and getattr(error, "retry_after", None):
            response["Retry-After"] = str(error.retry_after)
        return response

    for exc_class in (
        Exception,
        ApiError,
        DomainError,
        ValidationError,
        HttpError,
        Http404,
        RequestDataTooBig,
        TooManyFieldsSent,
        TooManyFilesSent,
    ):
        api.add_exception_handler(exc_class, handle)
