from django.urls import path

from youlin.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<str:table>.xlsx", views.export, name="export"),
    path("rankings/", views.ranking, name="ranking"),
    path("rankings.xlsx", views.ranking_export, name="ranking-export"),
    path("map/", views.map_page, name="map"),
    path("map.geojson", views.map_geojson, name="map-geojson"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/sections/<int:section_id>/", views.bulletin_section_edit, name="bulletin-section"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin-publish"),
]
