from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from youlin.alerts.feeds import CommunityFeed
from youlin.api.api import api
from youlin.cases import views as cases_views
from youlin.core import metrics
from youlin.core import views as core_views
from youlin.dashboards import views as dashboards_views
from youlin.files import views as files_views
from youlin.parties import views as parties_views
from youlin.places import views as places_views
from youlin.projects import views as projects_views
from youlin.synthetic import floor

urlpatterns = [
    # The write paths filed most (a resident's report, Open311 requests) first: a URL is matched against the
    # patterns in order, and the API's before them cost ~80 µs a request. No other pattern takes these prefixes.
    path("report/", cases_views.report, name="report"),
    path("open311/v2/", include("youlin.open311.urls")),
    path("", core_views.home, name="home"),
    path("health", core_views.health, name="health"),
    path("ready", core_views.ready, name="ready"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("c/<slug:slug>/", places_views.community_overview, name="community-overview"),
    path("org/<int:pk>/", parties_views.organisation_detail, name="organisation-detail"),
    path("cases/", include("youlin.cases.urls")),
    path("intake/", include("youlin.intake.urls")),
    path("p/<slug:slug>/", dashboards_views.community_public, name="community-public"),
    path("p/<slug:slug>/projects/<int:pk>/", projects_views.project_public, name="project-public"),
    path("p/<slug:slug>/feed.atom", CommunityFeed(), name="community-feed"),
    path("alerts/", include("youlin.alerts.urls")),
    path("bulletin/<int:pk>/", dashboards_views.bulletin_public, name="bulletin-public"),
    path("bulletin/<int:pk>/print/", dashboards_views.bulletin_print, name="bulletin-print"),
    path("bulletin/<int:pk>/qr.svg", dashboards_views.bulletin_qr, name="bulletin-qr"),
    path("phone/", include("youlin.verification.urls")),
    path("t/<str:token>/", cases_views.track, name="track"),
    path("notifications/", include("youlin.notifications.urls")),
    path("meetings/", include("youlin.deliberation.urls")),
    path("projects/", include("youlin.projects.urls")),
    path("ledgers/", include("youlin.ledgers.urls")),
    path("jobs/", include("youlin.jobs.urls")),
    path("volunteers/", include("youlin.volunteers.urls")),
    path("dashboards/", include("youlin.dashboards.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Uploaded files, debug or not: public photos to anyone, the rest after an access check (youlin.files).
    path("media/<path:name>", files_views.serve, name="media"),
    # What a browser asks for by itself (a feed, a file opened in a tab): the site's icon.
    path("favicon.ico", core_views.favicon, name="favicon"),
]

handler500 = core_views.server_error

urlpatterns += floor.urlpatterns()  # the benchmarks' floors: none unless YOULIN_BENCH_FLOOR is on
urlpatterns += metrics.urlpatterns()  # /metrics for Prometheus: none unless YOULIN_METRICS is on
