"""The permission matrix's table: every route of the site and every operation of the API, with who may use it.

Each entry says, for GET and for the route's write method, which access rule applies, and which demo object fills
its parameters. The test (``test_matrix.py``) derives each role's expected answer from the rule and the object's
community, so "own community" and "foreign community" follow from the role: the 手帕口南街 meeting is own for
``spk_staff`` and foreign for ``fwd_staff``.

Access rules:
- ``PUBLIC``: everyone, signed in or not;
- ``SIGNED_IN``: every account; anonymous callers are sent to log in (the API: 401);
- ``STAFF``: accounts that manage a community (community staff and secretaries, sub-district officers, the district);
- ``VIEW`` / ``CHANGE``: accounts that see / manage the object's community, and the object's ``also`` accounts
  (an organisation assigned to a case, its reporter);
- ``DISTRICT``: the district administrator (superuser) only;
- ``ADMIN`` / ``ADMIN_DISTRICT``: Django admin pages of a model with a rule / without one (district only);
- ``SEES_ANY``: accounts that see some community (staff, officers, grid workers): working pages;
- a set of usernames: exactly those accounts;
- ``CASE_STEP``: see below;
- ``NOBODY``: 404 or 403 for every account (the object is not of this kind, or a key is needed).

A write refused with a message (302 back, an error message) counts as refused: pages answer a permitted reader
who may not take the action that way, and a stranger with 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PUBLIC = "public"
SIGNED_IN = "signed_in"
STAFF = "staff"
VIEW = "view"
CHANGE = "change"
DISTRICT = "district"
ADMIN = "admin"
ADMIN_DISTRICT = "admin_district"
NOBODY = "nobody"
LOGIN_ = "login"  # an anonymous caller's answer: the login page
SEES_ANY = "sees_any"
CASE_STEP = "case_step"


@dataclass(frozen=True)
class Route:
    get: str | None  # the rule for GET (None: GET is not allowed, 405 for everyone)
    write: str | None = None  # the rule for the write method
    method: str = "POST"
    objects: tuple[str, ...] = ()  # names in World.objects; one row of the matrix per object
    kwargs: Callable[[object, str], dict] | None = None  # (world, object name) -> URL kwargs
    data: dict = field(default_factory=dict)  # the write's body (empty: the form is refused or the step denied)
    ends_session: bool = False  # the write logs out: it gets a client of its own
    anon: str | None = None  # anonymous callers' answer when it is not the rule's default (login; public: allowed)
    query: str = ""  # appended to the path: ?<query>=<the object's number>


def _pk(world, name):
    return {"pk": world.objects[name].pk}


def _number(world, name):
    return {"number": world.objects[name].number}


def _slug(world, name):
    return {"slug": world.objects[name].slug}


def _none(world, name):
    return {}


CASES = ("case_spk", "case_fwd")

# Every named route of the site (URL name: Route). The API's operations are in ``API`` below.
ROUTES: dict[str, Route] = {
    "home": Route(PUBLIC),
    "health": Route(PUBLIC),
    "ready": Route(PUBLIC),
    "favicon": Route(PUBLIC),
    "login": Route(PUBLIC, PUBLIC),
    "logout": Route(None, PUBLIC, ends_session=True),
    "set_language": Route(PUBLIC, PUBLIC),
    "community-overview": Route(VIEW, objects=("community_spk", "community_fwd"), kwargs=_slug),
    "organisation-detail": Route(VIEW, objects=("organisation_spk", "organisation_fwd"), kwargs=_pk),
    "report": Route(PUBLIC, PUBLIC),
    "intake:suggest": Route(PUBLIC, PUBLIC),
    "intake:terms": Route(PUBLIC),
    "community-public": Route(PUBLIC, objects=("community_spk", "community_fwd"), kwargs=_slug),
    "project-public": Route(
        PUBLIC,
        objects=("project_spk",),
        kwargs=lambda w, n: {"slug": w.objects[n].community.slug, "pk": w.objects[n].pk},
    ),
    "community-feed": Route(PUBLIC, objects=("community_spk",), kwargs=_slug),
    "bulletin-public": Route(PUBLIC, objects=("bulletin_published",), kwargs=_pk),
    "bulletin-print": Route(PUBLIC, objects=("bulletin_published",), kwargs=_pk),
    "bulletin-qr": Route(PUBLIC, objects=("bulletin_published",), kwargs=_pk),
    "track": Route(PUBLIC, objects=("case_spk",), kwargs=lambda w, n: {"token": w.objects[n].tracking_token}),
    "media": Route(  # a ledger entry's photo: the ledger's side only; 404 (not a login page) for anonymous
        VIEW, objects=("photo_private",), kwargs=lambda w, n: {"name": w.objects[n].image.name}, anon="deny"
    ),
    # cases
    "cases:list": Route(SIGNED_IN),
    "cases:new": Route(SEES_ANY, SEES_ANY),
    "cases:tasks": Route(SIGNED_IN),
    "cases:nearby": Route(PUBLIC),
    "cases:measures": Route(SIGNED_IN),
    "cases:hotspots": Route(SIGNED_IN),
    "cases:supervision": Route(SIGNED_IN),
    "cases:hotline": Route(STAFF, STAFF),
    "cases:hotline_sample": Route(STAFF),
    "cases:hotline_replies": Route(STAFF),
    "cases:detail": Route(VIEW, objects=CASES, kwargs=_number),
    "cases:act": Route(
        None, CASE_STEP, objects=CASES, kwargs=lambda w, n: {**_number(w, n), "action": "supervise"}, data={"x": "1"}
    ),
    "cases:support": Route(None, SIGNED_IN, objects=CASES, kwargs=_number),
    "cases:follow": Route(None, VIEW, objects=CASES, kwargs=_number),
    "cases:update-add": Route(None, VIEW, objects=CASES, kwargs=_number, anon="deny"),  # or with a tracking token
    "cases:update-hide": Route(
        None,
        CHANGE,
        anon="deny",
        objects=("update_spk",),
        kwargs=lambda w, n: {"number": w.objects[n].case.number, "pk": w.objects[n].pk},
    ),
    "cases:update-restore": Route(
        None,
        CHANGE,
        anon="deny",
        objects=("update_spk",),
        kwargs=lambda w, n: {"number": w.objects[n].case.number, "pk": w.objects[n].pk},
    ),
    "cases:update-flag": Route(
        None,
        VIEW,
        anon="deny",
        objects=("update_spk",),
        kwargs=lambda w, n: {"number": w.objects[n].case.number, "pk": w.objects[n].pk},
    ),
    # alerts
    "alerts:mine": Route(SIGNED_IN),
    "alerts:subscribe": Route(PUBLIC, PUBLIC, objects=("community_spk",), kwargs=_slug),
    "alerts:confirm": Route(
        PUBLIC, PUBLIC, objects=("subscription",), kwargs=lambda w, n: {"token": w.objects[n].token}
    ),
    "alerts:unsubscribe": Route(
        PUBLIC, PUBLIC, objects=("subscription",), kwargs=lambda w, n: {"token": w.objects[n].token}
    ),
    "alerts:cancel": Route(None, CHANGE, objects=("subscription",), kwargs=_pk),
    # phone verification (anyone; rate limits aside)
    "verification:code-send": Route(None, PUBLIC),
    "verification:code-confirm": Route(None, PUBLIC),
    "verification:forget": Route(None, PUBLIC),
    # notifications: one's own
    "notifications:inbox": Route(SIGNED_IN),
    "notifications:bell": Route(SIGNED_IN),
    "notifications:mark-read": Route(None, SIGNED_IN),
    "notifications:preferences": Route(SIGNED_IN, SIGNED_IN),
    # deliberation
    "deliberation:list": Route(SIGNED_IN),
    "deliberation:new": Route(STAFF, STAFF),
    "deliberation:new-from-case": Route(CHANGE, CHANGE, objects=CASES, kwargs=_number),
    "deliberation:my-action-items": Route(SIGNED_IN),
    "deliberation:action-item-complete": Route(None, CHANGE, objects=("action_item_spk",), kwargs=_pk),
    "deliberation:notice": Route(PUBLIC, objects=("notice_spk",), kwargs=_pk),
    "deliberation:notice-respond": Route(None, PUBLIC, objects=("notice_spk",), kwargs=_pk),
    "deliberation:detail": Route(VIEW, objects=("meeting_spk",), kwargs=_pk),
    "deliberation:act": Route(
        None, CHANGE, objects=("meeting_spk",), kwargs=lambda w, n: {**_pk(w, n), "action": "material"}
    ),
    # projects
    "projects:list": Route(SIGNED_IN),
    "projects:new": Route(CHANGE, objects=CASES, query="case", anon=LOGIN_),  # from a case (or a resolution)
    "projects:detail": Route(VIEW, objects=("project_spk",), kwargs=_pk),
    "projects:act": Route(
        None, CHANGE, objects=("project_spk",), kwargs=lambda w, n: {**_pk(w, n), "action": "progress"}
    ),
    # ledgers
    "ledgers:index": Route(SEES_ANY),
    "ledgers:campaigns": Route(SEES_ANY, STAFF),
    "ledgers:ledger": Route(VIEW, objects=("ledger_fwd",), kwargs=_pk),
    "ledgers:entry_new": Route(CHANGE, CHANGE, objects=("ledger_fwd",), kwargs=_pk),
    "ledgers:export": Route(VIEW, objects=("ledger_fwd",), kwargs=_pk),
    "ledgers:import": Route(CHANGE, CHANGE, objects=("ledger_fwd",), kwargs=_pk),
    "ledgers:import_status": Route(
        NOBODY, objects=("job_fwd",), kwargs=_pk, anon=LOGIN_
    ),  # a hotline job is no ledger import
    "ledgers:entry": Route(VIEW, objects=("entry_fwd",), kwargs=_pk),
    "ledgers:entry_act": Route(
        None, CHANGE, objects=("entry_fwd",), kwargs=lambda w, n: {**_pk(w, n), "action": "photos"}
    ),
    "ledgers:visits": Route(SEES_ANY, SEES_ANY),
    "ledgers:visit": Route(VIEW, objects=("visit_fwd",), kwargs=_pk),
    "ledgers:finding_act": Route(
        None, CHANGE, objects=("finding_fwd",), kwargs=lambda w, n: {**_pk(w, n), "target": "case"}
    ),
    "ledgers:frontage": Route(
        frozenset({"district", "gw_officer", "spk_staff", "fwd_staff", "gy_secretary", "spk_grid", "tyh_property"})
    ),
    "ledgers:frontage_detail": Route(VIEW, CHANGE, objects=("frontage_fwd",), kwargs=_pk),
    "ledgers:zones": Route(SEES_ANY),
    "ledgers:zone": Route(VIEW, CHANGE, objects=("zone_gy",), kwargs=_pk),
    # jobs
    "jobs:status": Route(VIEW, objects=("job_fwd",), kwargs=_pk),
    "jobs:cancel": Route(None, CHANGE, objects=("job_fwd",), kwargs=_pk),
    "jobs:retry": Route(None, CHANGE, objects=("job_fwd",), kwargs=_pk),
    # volunteers
    "volunteers:list": Route(SIGNED_IN, STAFF),
    "volunteers:hours": Route(SIGNED_IN),
    "volunteers:hours_export": Route(SIGNED_IN),
    "volunteers:detail": Route(VIEW, objects=("activity_fwd",), kwargs=_pk),
    "volunteers:act": Route(
        None, VIEW, objects=("activity_fwd",), kwargs=lambda w, n: {**_pk(w, n), "action": "signup"}
    ),
    # dashboards and bulletins
    "dashboards:dashboard": Route(SEES_ANY),
    "dashboards:export": Route(SEES_ANY, kwargs=lambda w, n: {"table": "parties"}),
    "dashboards:ranking": Route(STAFF),
    "dashboards:ranking-export": Route(STAFF),
    "dashboards:map": Route(SEES_ANY),
    "dashboards:map-geojson": Route(SEES_ANY),
    "dashboards:bulletins": Route(STAFF, STAFF),
    "dashboards:bulletin": Route(VIEW, objects=("bulletin_draft",), kwargs=_pk),
    "dashboards:bulletin-section": Route(
        None,
        CHANGE,
        objects=("bulletin_draft",),
        kwargs=lambda w, n: {"pk": w.objects[n].pk, "section_id": w.objects[n].sections.get().pk},
    ),
    "dashboards:bulletin-publish": Route(None, CHANGE, objects=("bulletin_draft",), kwargs=_pk),
    # the API's own pages (the operations are below)
    "api-v1:openapi-json": Route(PUBLIC),
    "api-v1:openapi-view": Route(PUBLIC),
    "api-v1:api-root": Route(NOBODY, anon="deny"),  # no page at the root
    "api-v1:tokens": Route(SIGNED_IN, SIGNED_IN),
    "api-v1:token-revoke": Route(None, CHANGE, objects=("token_spk",), kwargs=_pk),
    # Open311: public reads; POST needs an api_key (a client system's, not a person's)
    "open311:discovery": Route(PUBLIC, kwargs=lambda w, n: {"fmt": "json"}),
    "open311:services": Route(PUBLIC, kwargs=lambda w, n: {"fmt": "json"}),
    "open311:service": Route(PUBLIC, kwargs=lambda w, n: {"fmt": "json", "service_code": "06080"}),
    "open311:requests": Route(PUBLIC, NOBODY, kwargs=lambda w, n: {"fmt": "json"}),  # POST: an api_key
    "open311:request": Route(
        PUBLIC, objects=CASES, kwargs=lambda w, n: {"fmt": "json", "service_request_id": w.objects[n].number}
    ),
    "open311:token": Route(NOBODY, kwargs=lambda w, n: {"fmt": "json", "token": "no-such-token"}, anon="deny"),
}

# Django admin: every registered model's changelist (district only for models without a jurisdiction rule), and
# add/change pages of a few models; the other admin pages (history, delete, autocomplete …) are the same
# ScopedAdmin permission checks, tested over every admin class in ``test_admin.py``.
ADMIN_PAGES = {
    "admin:index": Route(ADMIN),
    "admin:places_compound_add": Route(ADMIN),
    "admin:parties_person_add": Route(ADMIN),
    "admin:places_compound_change": Route(
        ADMIN, objects=("compound_spk", "compound_fwd"), kwargs=lambda w, n: {"object_id": w.objects[n].pk}
    ),
    "admin:cases_case_change": Route(ADMIN, objects=CASES, kwargs=lambda w, n: {"object_id": w.objects[n].pk}),
    "admin:deliberation_meeting_change": Route(
        ADMIN, objects=("meeting_spk",), kwargs=lambda w, n: {"object_id": w.objects[n].pk}
    ),
}
ADMIN_COVERED_ELSEWHERE = (
    "_add",
    "_change",
    "_delete",
    "_history",
    "autocomplete",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "jsi18n",
    "view_on_site",
    "app_list",
    "auth_user_password_change",
)

# The JSON API: every operation of the OpenAPI document, by (method, path).
API: dict[tuple[str, str], Route] = {
    ("GET", "/api/v1/categories"): Route(PUBLIC),
    ("GET", "/api/v1/cases"): Route(PUBLIC),
    ("POST", "/api/v1/cases"): Route(None, SIGNED_IN),
    ("GET", "/api/v1/cases/nearby"): Route(PUBLIC),
    ("GET", "/api/v1/cases/{number}"): Route(VIEW, objects=CASES, kwargs=_number, anon="deny"),
    ("POST", "/api/v1/cases/{number}/support"): Route(None, SIGNED_IN, objects=CASES, kwargs=_number),
    ("POST", "/api/v1/cases/{number}/updates"): Route(None, VIEW, objects=CASES, kwargs=_number, data={"text": "矩阵"}),
    ("POST", "/api/v1/cases/{number}/updates/{update_id}/flag"): Route(
        None,
        VIEW,
        objects=("update_spk",),
        kwargs=lambda w, n: {"number": w.objects[n].case.number, "update_id": w.objects[n].pk},
    ),
    ("POST", "/api/v1/cases/{number}/updates/{update_id}/hide"): Route(
        None,
        CHANGE,
        data={"reason": "矩阵"},
        objects=("update_spk",),
        kwargs=lambda w, n: {"number": w.objects[n].case.number, "update_id": w.objects[n].pk},
    ),
    ("GET", "/api/v1/places/locate"): Route(PUBLIC),
    ("GET", "/api/v1/places/communities"): Route(PUBLIC),
    ("GET", "/api/v1/places/communities/{code}"): Route(
        PUBLIC, objects=("community_spk",), kwargs=lambda w, n: {"code": w.objects[n].code}
    ),
    ("GET", "/api/v1/places/communities/{code}/geojson"): Route(
        PUBLIC, objects=("community_spk",), kwargs=lambda w, n: {"code": w.objects[n].code}
    ),
    ("GET", "/api/v1/meetings"): Route(SIGNED_IN),
    ("GET", "/api/v1/meetings/{meeting_id}"): Route(
        VIEW, objects=("meeting_spk",), kwargs=lambda w, n: {"meeting_id": w.objects[n].pk}
    ),
    ("GET", "/api/v1/projects"): Route(SIGNED_IN),
    ("GET", "/api/v1/ledgers"): Route(SIGNED_IN),
    ("GET", "/api/v1/ledgers/{ledger_id}/entries"): Route(
        VIEW, objects=("ledger_fwd",), kwargs=lambda w, n: {"ledger_id": w.objects[n].pk}
    ),
    ("GET", "/api/v1/campaigns"): Route(SIGNED_IN),
    ("POST", "/api/v1/intake/suggest"): Route(None, PUBLIC),
    ("POST", "/api/v1/hotline/imports"): Route(None, STAFF, data={"file": "orders.csv"}),
    ("GET", "/api/v1/hotline/imports/{job_id}"): Route(
        VIEW, objects=("job_fwd",), kwargs=lambda w, n: {"job_id": w.objects[n].pk}
    ),
}
# No pending extension in the demo: the body naming one is refused (422) before the case is looked up, the same
# for every caller and for a missing case.
API[("POST", "/api/v1/cases/{number}/extension_decide")] = Route(
    None, PUBLIC, objects=CASES, kwargs=_number, anon=LOGIN_
)

# One endpoint per case step (``cases.steps``, ``/api/v1/cases/{number}/<action>``): whoever may not see the case
# gets 404 (as for a missing number); who sees it gets the step's own answer (done, 403 not theirs, 409 not now),
# which ``cases.permissions`` decides and the cases tests check step by step.
STEP_BODY = {
    "note": "",
    "reason": "matrix",
    "passed": True,
    "responded": True,
    "resolved": True,
    "satisfaction": "satisfied",
    "reached": False,
    "extension": 1,
    "approve": False,
    "organisations": [1],
    "working_days": 1,
    "survivor": "SELF",  # the case itself: refused as a merge, after the case was found
    "category": "06080",
}
