"""The permission matrix: every route of the site (walked from the URL configuration) and every operation of the
API (from its OpenAPI document) × every demo role × the own and a foreign community's object, GET and the route's
write method, each answer checked against the table in ``matrix_routes``.

A route or operation missing from the table fails ``test_every_route_is_in_the_matrix`` by name, so a new page
cannot slip past. The demo (cases, meetings, ledgers, volunteers) is loaded once for the whole matrix; every
request runs in a savepoint that is rolled back, so an allowed write changes nothing for the next one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from youlin.access.tests import matrix_routes as m

pytestmark = pytest.mark.django_db

# The demo roles: community staff of each community, a grid worker, a sub-district officer, the district, a
# property company, a resident, and nobody. What each manages and sees is written out here, from the README's
# table of demo accounts, not asked of the policy under test.
ROLES = (
    "district",
    "gw_officer",
    "spk_staff",
    "fwd_staff",
    "gy_secretary",
    "spk_grid",
    "tyh_property",
    "spk_resident",
    None,
)
MANAGES = {
    "district": {"spk", "fwd", "gy"},
    "gw_officer": {"spk"},
    "spk_staff": {"spk"},
    "fwd_staff": {"fwd"},
    "gy_secretary": {"gy"},
}
SEES = {**MANAGES, "spk_grid": {"spk"}}
ADMIN_STAFF = set(MANAGES)  # is_staff accounts that manage a community
# Every changelist is the same ScopedAdmin code: one role of each kind (district, officer, staff, a non-staff
# account, nobody); the add and change pages in ``ADMIN_PAGES`` take every role.
ADMIN_ROLES = ("district", "gw_officer", "spk_staff", "spk_grid", None)


# ---------------------------------------------------------------- the routes


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x) if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield name, prefix + str(p.pattern)


def site_routes() -> list[tuple[str | None, str]]:
    return list(_walk(get_resolver().url_patterns))


def _is_api_operation(name: str | None) -> bool:
    return bool(name) and name.startswith("api-v1:") and name not in m.ROUTES


def _admin_placed(name: str) -> bool:
    if name in m.ADMIN_PAGES or name.endswith("_changelist"):
        return True
    return any(name.endswith(suffix) or name == f"admin:{suffix}" for suffix in m.ADMIN_COVERED_ELSEWHERE)


def api_operations(client) -> list[tuple[str, str, dict]]:
    document = client.get("/api/v1/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


def _api_route(method: str, path: str) -> m.Route | None:
    if (method, path) in m.API:
        return m.API[(method, path)]
    prefix = "/api/v1/cases/{number}/"
    action = path.removeprefix(prefix)
    if method == "POST" and path.startswith(prefix) and "/" not in action:
        return m.Route(None, m.CASE_STEP, objects=m.CASES, kwargs=None)
    return None


def test_every_route_is_in_the_matrix(client, db):
    missing = []
    for name, pattern in site_routes():
        if name is None and pattern.startswith("admin/"):
            continue  # the admin's own redirects (an object's bare URL to its change page, the catch-all)
        if name is None:
            missing.append(f"unnamed route {pattern!r}: name it and add it to the matrix")
        elif name.startswith("admin:"):
            if not _admin_placed(name):
                missing.append(f"new admin route {name}: add it to the matrix (matrix_routes.ADMIN_PAGES)")
        elif _is_api_operation(name):
            continue  # checked through the OpenAPI document below
        elif name.startswith("bench-") or pattern.startswith("_bench/"):
            continue  # the benchmarks' floors, routed only with YOULIN_BENCH_FLOOR
        elif name not in m.ROUTES:
            missing.append(f"new route {name} ({pattern}): add it to the matrix (matrix_routes.ROUTES)")
    for method, path, _operation in api_operations(client):
        if _api_route(method, path) is None:
            missing.append(f"new API operation {method} {path}: add it to the matrix (matrix_routes.API)")
    known = {name for name, _pattern in site_routes()}
    stale = sorted(set(m.ROUTES) - known) + sorted(set(m.ADMIN_PAGES) - known)
    assert not missing, "\n".join(missing)
    assert not stale, f"routes in the matrix that no longer exist: {stale}"


# ---------------------------------------------------------------- the demo world


@dataclass
class World:
    objects: dict = field(default_factory=dict)
    community_of: dict = field(default_factory=dict)  # object name -> "spk" / "fwd" / "gy"
    also: dict = field(default_factory=dict)  # object name -> roles that see it beyond the community's
    also_change: dict = field(default_factory=dict)  # object name -> roles that change it beyond the community's
    tokens: dict = field(default_factory=dict)  # role -> API token
    orders: bytes = b""  # a 12345 work-order file
    clients: dict = field(default_factory=dict)  # role -> logged-in Client


SLUGS = {"shoupakou-nanjie": "spk", "fuwai-dong": "fwd", "gangyuan": "gy"}


def _build_world(users) -> World:
    from youlin.alerts.services import subscription_create
    from youlin.api.services import token_create
    from youlin.cases.imports.jobs import hotline_import_start
    from youlin.cases.models import Case
    from youlin.cases.services import case_update_add
    from youlin.cases.tests.test_imports import as_csv, order
    from youlin.dashboards import services as bulletins
    from youlin.deliberation.models import ActionItem, Meeting, PublicNotice
    from youlin.demo.cases import load_demo_cases
    from youlin.demo.deliberation import load_demo_deliberation
    from youlin.demo.ledgers import load_demo_ledgers
    from youlin.demo.volunteers import load_demo_volunteers
    from youlin.ledgers.models import FrontageDuty, Ledger, LedgerEntry, LedgerEntryPhoto, Visit, VisitFinding
    from youlin.parties.models import Organisation
    from youlin.places.models import Community, Compound, Zone
    from youlin.projects.models import Project
    from youlin.volunteers.models import Activity

    load_demo_cases()
    load_demo_deliberation()
    load_demo_ledgers()
    load_demo_volunteers()
    w = World()
    spk, fwd = Community.objects.get(slug="shoupakou-nanjie"), Community.objects.get(slug="fuwai-dong")

    def put(name, obj, community, also=()):
        w.objects[name] = obj
        w.community_of[name] = SLUGS[community.slug]
        w.also[name] = set(also)

    put("community_spk", spk, spk)
    put("community_fwd", fwd, fwd)
    put("organisation_spk", Organisation.objects.get(name="天岳恒物业"), spk, {"tyh_property"})
    put("organisation_fwd", Organisation.objects.filter(community=fwd).order_by("pk").first(), fwd)
    put("compound_spk", Compound.objects.filter(community=spk).order_by("pk").first(), spk)
    put("compound_fwd", Compound.objects.filter(community=fwd).order_by("pk").first(), fwd)
    case_spk = Case.objects.filter(community=spk, assignments__organisation__name="天岳恒物业").order_by("pk").first()
    put("case_spk", case_spk, spk, {"tyh_property"})
    put("case_fwd", Case.objects.filter(community=fwd).order_by("pk").first(), fwd)
    put(
        "update_spk",
        case_update_add(actor=users.spk_staff, case=case_spk, text="楼道已清理一半。"),
        spk,
        {"tyh_property"},
    )
    # The parties invited to the meeting (the property company, residents' representatives) read it too.
    put(
        "meeting_spk",
        Meeting.objects.filter(community=spk).order_by("pk").first(),
        spk,
        {"tyh_property", "spk_resident"},
    )
    item = ActionItem.objects.select_related("assignee_organisation").order_by("pk").first()
    assert item.assignee_organisation.name == "天岳恒物业"
    put("action_item_spk", item, spk, {"tyh_property"})
    w.also_change["action_item_spk"] = {"tyh_property"}  # the organisation it is assigned to completes it
    put("notice_spk", PublicNotice.objects.order_by("pk").first(), spk)
    put("project_spk", Project.objects.get(), spk, {"tyh_property", "spk_resident"})  # its parties and applicant
    ledger = Ledger.objects.filter(community=fwd).order_by("pk").first()
    put("ledger_fwd", ledger, fwd)
    put("entry_fwd", LedgerEntry.objects.filter(ledger=ledger).order_by("pk").first(), fwd)
    put("photo_private", LedgerEntryPhoto.objects.order_by("pk").first().photo, fwd)
    put("visit_fwd", Visit.objects.order_by("pk").first(), fwd)
    put("finding_fwd", VisitFinding.objects.order_by("pk").first(), fwd)
    put("frontage_fwd", FrontageDuty.objects.order_by("pk").first(), fwd)
    zone = Zone.objects.order_by("pk").first()
    put("zone_gy", zone, zone.community)
    put("activity_fwd", Activity.objects.order_by("pk").first(), fwd)
    orders = w.orders = as_csv([order(1, content="")]).encode()  # refused: the job fails and stays to be seen
    put("job_fwd", hotline_import_start(actor=users.fwd_staff, community=fwd, filename="o.csv", content=orders), fwd)
    day = case_spk.registered_at.date()
    draft = bulletins.bulletin_draft(actor=users.spk_staff, title="草稿", start_day=day, end_day=day, communities=[spk])
    put("bulletin_draft", draft, spk)
    published = bulletins.bulletin_draft(
        actor=users.spk_staff, title="已发布", start_day=day, end_day=day, communities=[spk]
    )
    put(
        "bulletin_published",
        bulletins.bulletin_publish(actor=users.spk_staff, bulletin=published, expected_version=1),
        spk,
    )
    subscription, _sent = subscription_create(actor=users.spk_resident, community=spk)
    put("subscription", subscription, spk)
    w.also["subscription"] = w.also_change["subscription"] = {"spk_resident"}
    w.community_of["subscription"] = "nobody's"  # one's own: only the resident who subscribed
    token, _raw = token_create(user=users.spk_staff, name="matrix")
    put("token_spk", token, spk)
    w.community_of["token_spk"] = "nobody's"
    w.also["token_spk"] = w.also_change["token_spk"] = {"spk_staff"}
    for role in ROLES:
        client = Client()
        if role is not None:
            client.force_login(getattr(users, role))
            w.tokens[role] = token_create(user=getattr(users, role), name="matrix")[1]
        w.clients[role] = client
    return w


# ---------------------------------------------------------------- expectations

ALLOW, DENY, LOGIN, NOT_ALLOWED, EITHER = "allow", "deny", "login", "405", "allow or refused"


def expected(rule, role: str | None, world: World, name: str | None, anon: str | None = None) -> str:
    if role is None and anon is not None:
        return anon
    if rule == m.PUBLIC:
        return ALLOW
    if rule == m.NOBODY:
        return DENY
    if role is None:
        return LOGIN
    if isinstance(rule, frozenset):
        return ALLOW if role in rule else DENY
    community = world.community_of.get(name) if name else None
    also = world.also.get(name, set()) if name else set()
    if rule == m.SIGNED_IN:
        return ALLOW
    if rule == m.STAFF:
        return ALLOW if role in MANAGES else DENY
    if rule == m.SEES_ANY:
        return ALLOW if role in SEES else DENY
    if rule in (m.VIEW, m.CASE_STEP):
        return ALLOW if community in SEES.get(role, set()) or role in also else DENY
    if rule == m.CHANGE:
        if community in MANAGES.get(role, set()) or role in world.also_change.get(name, set()):
            return ALLOW
        if community in SEES.get(role, set()) or role in also:
            return EITHER  # a reader who may not act: 403, or the page again with a message; never a stranger's 404
        return DENY
    if rule == m.DISTRICT:
        return ALLOW if role == "district" else DENY
    raise AssertionError(rule)


def expected_admin(rule: str, role: str | None, world: World, name: str | None) -> str:
    if role not in ADMIN_STAFF:
        return LOGIN  # anonymous and accounts without is_staff: the admin's own login page
    if rule == m.ADMIN_DISTRICT:
        return ALLOW if role == "district" else DENY
    if name is None:
        return ALLOW
    return ALLOW if world.community_of[name] in SEES[role] else DENY


def verdict(response, *, api: bool = False, admin: bool = False, step: bool = False) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    location = response.get("Location", "") if status in (301, 302) else ""
    if admin and location.startswith("/admin/login/"):
        return LOGIN
    if admin and location == reverse("admin:index"):
        return DENY  # the admin's answer for an object that is not there (or not yours): back to its index
    if location.startswith(reverse("login")):
        return LOGIN
    if api and status == 401:
        return LOGIN
    if step and status in (403, 409, 422, 400):
        return ALLOW  # the case was found: the step's own answer (not yours, not now, incomplete)
    if status in (403, 404):
        return DENY
    if status == 405:
        return NOT_ALLOWED
    return ALLOW


# ---------------------------------------------------------------- running the matrix


def _request(client, method, path, *, data=None, headers=None, json=False):
    cache.clear()  # rate limits count per client address and token: every request starts fresh
    with transaction.atomic():
        if method == "GET":
            response = client.get(path, headers=headers or {})
        elif json:
            response = client.generic(
                method, path, data=_json(data or {}), content_type="application/json", headers=headers or {}
            )
        else:
            response = client.post(path, data or {}, headers=headers or {})
        transaction.set_rollback(True)
    return response


def _json(data):
    import json

    return json.dumps(data)


def _body(world, data: dict) -> dict:
    """The write's body; a ``file`` is a small 12345 work-order file (refused, but read)."""
    if "file" not in data:
        return data
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {**data, "file": SimpleUploadedFile(data["file"], world.orders, content_type="text/csv")}


def _rows(route: m.Route):
    return route.objects or (None,)


def _own_client(users, role):
    client = Client()
    if role is not None:
        client.force_login(getattr(users, role))
    return client


def _check(
    world,
    failures,
    label,
    path,
    method,
    rule,
    role,
    name,
    *,
    api=False,
    admin=False,
    data=None,
    json=False,
    client=None,
    anon=None,
):
    client = client or (world.clients[role] if not api else Client())
    headers = {"Authorization": f"Bearer {world.tokens[role]}"} if api and role is not None else None
    want = expected_admin(rule, role, world, name) if admin else expected(rule, role, world, name, anon)
    response = _request(client, method, path, data=data, headers=headers, json=json)
    got = verdict(response, api=api, admin=admin, step=rule == m.CASE_STEP)
    if response.streaming:
        # A served file: read it to the end, which closes it the way the test client closes a response (without
        # request_finished closing the database connection of the test's transaction, as response.close() would).
        b"".join(response.streaming_content)
    if got != want and not (want == EITHER and got in (ALLOW, DENY)):
        failures.append(
            f"{method} {path} [{label}] as {role or 'anonymous'} on {name or '-'}: expected {want}, got {got}"
        )


@pytest.mark.early  # two thousand requests: first among the demo tests
def test_every_route_answers_every_role_as_the_matrix_says(users, settings):
    settings.YOULIN_DEMO = True
    started = time.monotonic()
    world = _build_world(users)
    failures: list[str] = []
    count = 0
    for url_name, route in m.ROUTES.items():
        for name in _rows(route):
            kwargs = route.kwargs(world, name) if route.kwargs else {}
            path = reverse(url_name.partition("?")[0], kwargs=kwargs)
            if route.query:
                path += f"?{route.query}={world.objects[name].number}"
            for role in ROLES:
                for method, rule in (("GET", route.get), (route.method, route.write)):
                    if rule is None and method == "GET":
                        if role is None:  # a write-only route refuses GET (405), whoever asks
                            got = verdict(_request(world.clients[role], "GET", path))
                            if got not in (NOT_ALLOWED, LOGIN):
                                failures.append(f"GET {path} [{url_name}]: expected 405, got {got}")
                            count += 1
                        continue
                    if rule is None:
                        continue
                    client = _own_client(users, role) if route.ends_session and method != "GET" else None
                    _check(
                        world,
                        failures,
                        url_name,
                        path,
                        method,
                        rule,
                        role,
                        name,
                        data=_body(world, route.data),
                        client=client,
                        anon=route.anon,
                    )
                    count += 1
    for url_name, route in m.ADMIN_PAGES.items():
        for name in _rows(route):
            path = reverse(url_name, kwargs=route.kwargs(world, name) if route.kwargs else {})
            for role in ROLES:
                _check(world, failures, url_name, path, "GET", route.get, role, name, admin=True)
                count += 1
    from django.contrib import admin

    from youlin.access.policy import rule_for

    for model in admin.site._registry:
        if not model.__module__.startswith("youlin."):
            continue
        try:
            rule_for(model)
            rule = m.ADMIN
        except LookupError:
            rule = m.ADMIN_DISTRICT
        path = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for role in ADMIN_ROLES:
            _check(world, failures, "changelist", path, "GET", rule, role, None, admin=True)
            count += 1
    for method, path_template, operation in api_operations(world.clients[None]):
        route = _api_route(method, path_template)
        multipart = "multipart/form-data" in (operation.get("requestBody") or {}).get("content", {})
        for name in _rows(route):
            kwargs = route.kwargs(world, name) if route.kwargs else {}
            if route.write == m.CASE_STEP:
                kwargs = {"number": world.objects[name].number}
            path = path_template.format(**kwargs)
            rule = route.get if method == "GET" else route.write
            if route.write == m.CASE_STEP:
                case = world.objects[name]
                data = {**m.STEP_BODY, "expected_version": case.version, "survivor": case.number}
            else:
                data = _body(world, route.data)
            for role in ROLES:
                _check(
                    world,
                    failures,
                    operation.get("operationId", ""),
                    path,
                    method,
                    rule,
                    role,
                    name,
                    api=True,
                    data=data,
                    json=not multipart and method != "GET",
                    anon=route.anon,
                )
                count += 1
    seconds = time.monotonic() - started
    print(f"permission matrix: {count} requests in {seconds:.1f} s")
    assert not failures, f"{len(failures)} of {count} answers differ from the matrix:\n" + "\n".join(failures)
