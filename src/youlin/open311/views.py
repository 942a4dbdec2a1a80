"""The GeoReport v2 endpoints (plain Django views): parse the parameters, call a selector or service, render
JSON or XML. Errors are lists of ``{"code", "description"}`` (``<errors><error>…`` in XML)."""

from __future__ import annotations

import re
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from youlin.api import ratelimit
from youlin.api.auth import max_body_bytes
from youlin.cases import routing_cache
from youlin.cases.models import OPEN_STATUSES, CaseEvent
from youlin.core.edges import busy, client_address, is_busy
from youlin.core.edges import respond as edges_respond
from youlin.core.health import database_unavailable
from youlin.domain.errors import DomainError
from youlin.open311 import render, selectors
from youlin.open311.attributes import attributes_of
from youlin.open311.services import Open311Error, request_submit
from youlin.places.selectors import resolve_address

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-27T00:00:00+08:00"  # when the service list or this interface last changed
MAX_DESCRIPTION = 4000
_ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _check_jurisdiction(params) -> None:
    given = (params.get("jurisdiction_id") or "").strip()
    if given and given != settings.YOULIN_DISTRICT_CODE:
        raise Open311Error(
            404,
            _("本服务只受理 jurisdiction_id=%(code)s 的请求。") % {"code": settings.YOULIN_DISTRICT_CODE},
        )


def _service(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.major} · {category.name}",
        "metadata": bool(attributes_of(category.code)),
        "type": "realtime",
        "keywords": None,
        "group": category.major,
    }


def _requests_out(request, found: selectors.Requests) -> list[dict]:
    """Requests as the standard names their fields, from ``.values()`` rows: the site's address, the time zone
    and the status labels are worked out once for the whole list, not per request."""
    tz = timezone.get_current_timezone()
    origin = request.build_absolute_uri("/")[:-1]
    storage = default_storage
    kinds = dict(CaseEvent._meta.get_field("kind").choices)
    labels: dict[str, str] = {}
    agencies, photos = found.agencies, found.photos

    def iso(value):
        return value.astimezone(tz).isoformat(timespec="seconds") if value else None

    out = []
    for r in found.rows:
        media_url = r["submission_media_url"] or None
        if media_url is None and r["id"] in photos:
            media_url = origin + storage.url(photos[r["id"]])
        note = r["latest_note"] or ""
        kind = r["latest_kind"]
        if not note and kind:
            if kind not in labels:
                labels[kind] = str(kinds.get(kind, kind))
            note = labels[kind]
        names = agencies.get(r["id"])
        out.append(
            {
                "service_request_id": r["number"],
                "status": "open" if r["status"] in OPEN_STATUSES else "closed",
                "status_notes": note or None,
                "service_name": r["service_name"],
                "service_code": r["service_code"],
                "description": r["description"][:MAX_DESCRIPTION],
                "agency_responsible": "、".join(names) if names else None,
                "service_notice": None,
                "requested_datetime": iso(r["registered_at"]),
                "updated_datetime": iso(r["updated_at"]),
                "expected_datetime": iso(r["deadline"]),
                "address": r["address"] or None,
                "address_id": None,
                "zipcode": None,
                "lat": r["lat"],
                "long": r["lon"],
                "media_url": media_url,
            }
        )
    return out


# A service's refusal in the standard's terms: 403 when it is not the caller's to do, else 400 (bad request).
STATUS_BY_CODE = {"permission_denied": 403, "storage_unavailable": 503}


def _from_domain_error(exc: DomainError) -> Open311Error:
    field = f"{exc.field}: " if exc.field else ""
    return Open311Error(STATUS_BY_CODE.get(str(exc.code), 400), f"{field}{exc.message}")


def database_unavailable_response(request, fmt: str | None = None):
    """503 in the standard's error format (``youlin.core.views.server_error`` uses it for errors outside a view)."""
    fmt = fmt or ("xml" if request.path_info.endswith(".xml") else "json")
    response = render.error(fmt, 503, _("服务暂时不可用（数据库无法连接），请稍后再试。"))
    response["Retry-After"] = "30"
    return response


def _guard(view):
    """Render Open311Error, any service's refusal (``DomainError``) and oversized bodies in the standard's error
    format."""

    def wrapped(request, *args, fmt: str, **kwargs):
        try:
            _check_jurisdiction(request.GET)
            return view(request, *args, fmt=fmt, **kwargs)
        except DomainError as exc:
            error = _from_domain_error(exc)
            return render.error(fmt, error.status, error.description)
        except Open311Error as exc:
            return render.error(fmt, exc.status, exc.description)
        except (RequestDataTooBig, TooManyFieldsSent):
            return render.error(fmt, 413, _("提交的内容太大，请缩短描述或减少参数。"))
        except DatabaseError as exc:
            if is_busy(exc):  # held by another writer: 503 with a short Retry-After (core.edges)
                return edges_respond(request, busy())
            if not database_unavailable(exc):
                raise
            return database_unavailable_response(request, fmt)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_guard
def discovery(request, fmt: str):
    url = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "YOULIN_OPEN311_CONTACT", "") or _("请联系区城市管理部门获取 api_key。"),
        "key_service": getattr(settings, "YOULIN_OPEN311_KEY_SERVICE", "")
        or _("api_key 由系统管理员用 youlin apikey create --name 名称 创建。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render.respond(fmt, data, root="discovery")


@require_GET
@_guard
def service_list(request, fmt: str):
    return render.respond(fmt, [_service(c) for c in selectors.services()], root="services")


@require_GET
@_guard
def service_definition(request, service_code: str, fmt: str):
    category = selectors.service(service_code)
    if category is None:
        raise Open311Error(404, _("没有代码为 %(code)s 的服务。") % {"code": service_code})
    data = {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": str(a.datatype_description) if a.datatype_description else None,
                "order": a.order,
                "description": str(a.description),
                "values": [{"key": k, "name": str(name)} for k, name in a.values],
            }
            for a in attributes_of(category.code)
        ],
    }
    return render.respond(fmt, data, root="service_definition")


def _when(value: str, name: str, *, end: bool = False) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = None
    try:
        parsed = parse_datetime(value.replace(" ", "+") if "T" in value else value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = datetime.combine(day, time.max if end else time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400, _("%(name)s 不是有效的时间，请用 ISO 8601 格式，如 2026-11-27T09:00:00+08:00。") % {"name": name}
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _list(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guard
def requests(request, fmt: str):
    if request.method == "POST":
        return _post_request(request, fmt)
    params = request.GET
    ids = _list(params.get("service_request_id", ""))
    if ids:  # the standard: other parameters are ignored when ids are given
        return render.respond(fmt, _requests_out(request, selectors.requests_by_id(ids)), root="service_requests")
    start = _when(params.get("start_date", ""), "start_date")
    end = _when(params.get("end_date", ""), "end_date", end=True)
    if start and end and end < start:
        raise Open311Error(400, _("end_date 不能早于 start_date。"))
    if start and end and end - start > selectors.MAX_SPAN:
        raise Open311Error(400, _("start_date 与 end_date 最多相隔 90 天，请分段查询。"))
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - selectors.MAX_SPAN
    elif end is None:
        end = start + selectors.MAX_SPAN
    statuses = _list(params.get("status", ""))
    if any(s not in {"open", "closed"} for s in statuses):
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    rows = selectors.requests_search(
        start=start, end=end, service_codes=_list(params.get("service_code", "")), statuses=statuses
    )
    return render.respond(fmt, _requests_out(request, rows), root="service_requests")


@require_GET
@_guard
def request_detail(request, service_request_id: str, fmt: str):
    found = selectors.requests_by_id([service_request_id])
    if not found.rows:
        raise Open311Error(404, _("没有编号为 %(id)s 的请求。") % {"id": service_request_id})
    return render.respond(fmt, _requests_out(request, found), root="service_requests")


@require_GET
@_guard
def token_detail(request, token: str, fmt: str):
    submission = selectors.submission_by_token(token)
    if submission is None:
        raise Open311Error(404, _("没有这个 token。"))
    data = [{"service_request_id": submission.case.number, "token": submission.token}]
    return render.respond(fmt, data, root="service_requests")


# ---------------------------------------------------------------- POST requests


def _rate_check(request, key) -> None:
    if key is not None:
        verdict = ratelimit.hit("open311-key", f"key:{key.pk}", ratelimit.configured_rate("YOULIN_OPEN311_POST_RATE"))
    else:
        verdict = ratelimit.hit(
            "open311-anon", client_address(request), ratelimit.configured_rate("YOULIN_API_ANON_POST_RATE")
        )
    if not verdict.allowed:
        raise Open311Error(429, _("提交太频繁，请 %(seconds)d 秒后再试。") % {"seconds": verdict.retry_after})


def _float(value: str, name: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise Open311Error(400, _("%(name)s 应为数字（WGS-84 经纬度）。") % {"name": name})
    return number


def _post_request(request, fmt: str):
    # One routing revision for the whole submission (key, service, registration): one read, not one per lookup.
    with routing_cache.held():
        return _post_request_held(request, fmt)


def _post_request_held(request, fmt: str):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_body_bytes():
        raise Open311Error(413, _("提交的内容太大，请缩短描述或减少参数。"))
    params = request.POST
    _check_jurisdiction(params)
    key = selectors.key_for((params.get("api_key") or "").strip())
    _rate_check(request, key)
    if key is None:
        raise Open311Error(403, _("api_key 缺失或无效。请向系统管理员申请密钥。"))
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    category = selectors.service(code)
    if category is None:
        raise Open311Error(404, _("没有代码为 %(code)s 的服务。") % {"code": code})
    description = (params.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description 不能超过 4000 个字符。"))
    if not description:
        raise Open311Error(400, _("请填写 description：什么问题、在哪里、影响了谁。"))
    lat, lon = _float(params.get("lat", ""), "lat"), _float(params.get("long", ""), "long")
    address = (params.get("address_string") or "").strip()
    if lat is None or lon is None:
        if not address:
            raise Open311Error(400, _("请提供位置：lat 与 long，或 address_string。"))
        place = resolve_address(address)
        if place is None:
            raise Open311Error(
                400,
                _(
                    "无法从 address_string“%(address)s”确定所在社区。请写出小区或楼栋的全名（如“手帕口南街36号院甲楼”），或改用 lat 与 long。"
                )
                % {"address": address[:100]},
            )
        lon, lat = place.lon, place.lat
    media_url = (params.get("media_url") or "").strip()
    if media_url and not re.match(r"^https?://\S+$", media_url):
        raise Open311Error(400, _("media_url 应为 http 或 https 链接。"))
    attributes: dict[str, list[str]] = {}
    for name in params:
        match = _ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).extend(params.getlist(name))
    submission = request_submit(
        api_key=key,
        category=category,
        description=description,
        lon=lon,
        lat=lat,
        address=address,
        attributes=attributes,
        media_url=media_url,
        email=params.get("email", ""),
        device_id=params.get("device_id", ""),
        account_id=params.get("account_id", ""),
        first_name=params.get("first_name", ""),
        last_name=params.get("last_name", ""),
        phone=params.get("phone", ""),
    )
    data = [
        {
            "service_request_id": submission.case.number,
            "token": submission.token,
            "service_notice": _("已受理，案件编号 %(number)s，处置期限 %(deadline)s。")
            % {
                "number": submission.case.number,
                "deadline": timezone.localtime(submission.case.deadline).strftime("%Y-%m-%d %H:%M"),
            },
            "account_id": submission.account_id or None,
        }
    ]
    return render.respond(fmt, data, root="service_requests", status=201)
