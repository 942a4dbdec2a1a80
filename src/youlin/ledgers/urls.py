from django.urls import path

from youlin.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("<int:pk>/", views.ledger_detail, name="ledger"),
    path("<int:pk>/new/", views.entry_new, name="entry_new"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/import/", views.import_upload, name="import"),
    path("imports/<int:pk>/", views.import_status, name="import_status"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/act/<str:action>/", views.entry_act, name="entry_act"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("findings/<int:pk>/<str:target>/", views.finding_act, name="finding_act"),
    path("frontage/", views.frontage, name="frontage"),
    path("frontage/<int:pk>/", views.frontage_detail, name="frontage_detail"),
    path("zones/", views.zones, name="zones"),
    path("zones/<int:pk>/", views.zone_detail, name="zone"),
]
