"""The edge of every interface, in one place: what comes in must be text, and a busy database is a 503, not a 500.

``InputMiddleware`` refuses, before any view runs, input that no text field can hold: bytes that are not UTF-8,
and characters that are not text — C0 controls other than tab, line feed and carriage return, and lone
surrogates (PostgreSQL answers NUL in text with an error, SQLite would store it). It reads the path, the query
string, a form body (urlencoded or multipart; file contents aside) and a JSON body. Reading the form here also
meets an unreadable multipart body (no boundary) and an oversized one before any view does.

``BusyDatabaseMiddleware`` answers a database that could not be had in time — SQLite's "database is locked"
once its busy timeout ran out, PostgreSQL's lock timeout, deadlock or connection limit — with 503 and
Retry-After: the client may simply send the same request again; nothing was written. The API's handler,
Open311's guard and the site's ``server_error`` (for errors outside a view) answer it the same way
(``is_busy``, ``busy``); a database that cannot be reached at all is ``youlin.core.health``'s "unavailable".

Each answer has the shape of the interface the path belongs to (``interface_of``): the API's JSON error with a
stable code, Open311's error list (JSON or XML), or a page in the reader's language.
"""

from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import unquote_to_bytes, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import OperationalError
from django.http import HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"
API_PAGES = ("/api/v1/tokens/",)  # pages under the API's prefix (the token list), answered as pages
OPEN311_PREFIX = "/open311/"

# Not text: C0 controls but \t \n \r, and UTF-16 surrogates (no UTF-8 encoding exists for a lone one).
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# A multipart field was decoded with replacement characters; one there means bytes that were not UTF-8.
NOT_TEXT_OR_REPLACED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffd]")


def interface_of(request) -> str:
    """``api``, ``open311`` or ``page``, by the path's prefix."""
    path = request.path_info
    if path.startswith(API_PREFIX) and not path.startswith(API_PAGES):
        return "api"
    if path.startswith(OPEN311_PREFIX):
        return "open311"
    return "page"


@dataclasses.dataclass
class Refusal(Exception):
    status: int
    code: str
    message: str
    field: str | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def respond(request, refusal: Refusal) -> HttpResponse:
    """The refusal in the shape of the request's interface."""
    where = interface_of(request)
    if where == "api":
        from youlin.api.errors import error_response

        fields = {refusal.field: refusal.message} if refusal.field else {}
        response = error_response(refusal.status, refusal.code, refusal.message, fields)
    elif where == "open311":
        from youlin.open311 import render as open311_render

        fmt = "xml" if request.path_info.endswith(".xml") else "json"
        response = open311_render.error(fmt, refusal.status, refusal.message)
    elif refusal.status == 413 and request.method == "POST":
        response = _back_to_the_form(request, refusal)
    else:
        response = render(request, "core/refused.html", {"refusal": refusal}, status=refusal.status)
    for name, value in refusal.headers.items():
        response[name] = value
    return response


def _back_to_the_form(request, refusal: Refusal) -> HttpResponse:
    """A page's form too large to read: back to the form (the page it was sent from, or this address), with the
    message on top. What was typed cannot be kept: it was never read."""
    messages.error(request, refusal.message)
    referer = request.headers.get("Referer", "")
    target = request.path
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        parts = urlsplit(referer)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return HttpResponseRedirect(target, status=303)


# ---------------------------------------------------------------- what comes in


def not_text(where: str | None) -> Refusal:
    message = (
        _("“%(field)s”中含有无法保存的控制字符（如 NUL），请删除后重新提交。") % {"field": where}
        if where
        else _("请求中含有无法保存的控制字符（如 NUL），请删除后重新提交。")
    )
    return Refusal(400, "invalid_characters", message, where)


def not_utf8(where: str | None) -> Refusal:
    message = (
        _("“%(field)s”不是有效的 UTF-8 文本，请用 UTF-8 编码后重新提交。") % {"field": where}
        if where
        else _("请求中有内容不是有效的 UTF-8 文本，请用 UTF-8 编码后重新提交。")
    )
    return Refusal(400, "invalid_encoding", message, where)


def too_large() -> Refusal:
    return Refusal(413, "too_large", _("提交的内容太大（文字过长、项目过多或文件过大），请精简或压缩照片后重新提交。"))


def check_text(value: str, where: str | None, *, pattern: re.Pattern = NOT_TEXT) -> None:
    if pattern.search(value):
        raise not_text(where if where and not NOT_TEXT.search(where) else None)


def check_urlencoded(raw: bytes) -> None:
    """``a=1&b=2`` as sent: every name and value, percent-decoded, must be UTF-8 text."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _sep, value = pair.partition(b"=")
        try:
            name_text = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise not_utf8(None) from None
        check_text(name_text, None)
        try:
            value_text = unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise not_utf8(name_text) from None
        check_text(value_text, name_text)


def check_json(raw: bytes) -> None:
    """Every key and string of a JSON body. A body that is not JSON is left to the view (it answers 400)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise not_utf8(None) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return
    stack: list[tuple[object, str | None]] = [(data, None)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            check_text(value, where)
        elif isinstance(value, dict):
            for key, child in value.items():
                check_text(key, None)
                stack.append((child, where or key))
        elif isinstance(value, list):
            stack.extend((child, where) for child in value)


def _query_bytes(request) -> bytes:
    query = request.META.get("QUERY_STRING", "")
    try:
        return query.encode("iso-8859-1")  # WSGI hands the raw bytes over as latin-1 (PEP 3333)
    except UnicodeEncodeError:
        return query.encode("utf-8")


def _body_limit() -> int:
    from youlin.api.auth import max_body_bytes

    return max_body_bytes()


def check_request(request) -> None:
    """Raise ``Refusal`` for input that is not text, or a form body that cannot be read."""
    check_text(request.path_info, None)
    check_urlencoded(_query_bytes(request))
    if request.method not in {"POST", "PUT", "PATCH"}:
        return
    content_type = request.content_type or ""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    try:
        if content_type == "application/x-www-form-urlencoded":
            check_urlencoded(request.body)
            request.POST  # noqa: B018 - parsing meets too many fields here, not in the view
        elif content_type == "multipart/form-data":
            if length > _body_limit():
                return  # the interface refuses it (413) before reading it
            for name, values in request.POST.lists():
                check_text(name, None)
                for value in values:
                    check_text(value, name, pattern=NOT_TEXT_OR_REPLACED)
        elif content_type == "application/json" or content_type.endswith("+json"):
            check_json(request.body)
    except MultiPartParserError:
        raise Refusal(
            400, "bad_request", _("无法读取提交的表单（multipart 格式不正确，如缺少 boundary），请检查后再提交。")
        ) from None
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
        raise too_large() from None


class InputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_request(request)
        except Refusal as refusal:
            return respond(request, refusal)
        return self.get_response(request)


# ---------------------------------------------------------------- a busy database

# PostgreSQL's SQLSTATEs for "could not have it in time": lock_not_available, deadlock_detected,
# serialization_failure, too_many_connections, cannot_connect_now.
BUSY_SQLSTATES = {"55P03", "40P01", "40001", "53300", "57P03"}


def is_busy(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    # SQLite: SQLITE_BUSY once the busy timeout ran out, SQLITE_LOCKED (table or schema) in a shared cache.
    return any(f"database {what}is locked" in str(exc) for what in ("", "table ", "schema "))


def retry_after() -> int:
    return int(settings.YOULIN_BUSY_RETRY_AFTER)


def busy() -> Refusal:
    seconds = retry_after()
    return Refusal(
        503,
        "busy",
        _("系统正忙（数据库正在处理其他写入），本次提交未保存。请 %(seconds)d 秒后重试。") % {"seconds": seconds},
        headers={"Retry-After": str(seconds)},
    )


class BusyDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception):
            return respond(request, busy())
        return None


def client_address(request) -> str:
    """The client's address. X-Forwarded-For is the client's to forge, so only the entries appended by our own
    proxies count: with ``YOULIN_PROXY_HOPS`` = n (nginx in front: 1), the n-th address from the right."""
    hops = getattr(settings, "YOULIN_PROXY_HOPS", 0)
    if hops > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or "unknown"
