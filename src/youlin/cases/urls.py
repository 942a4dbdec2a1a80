from django.urls import path

from youlin.cases import hotline_views, update_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("tasks/", views.tasks, name="tasks"),
    path("nearby/", views.nearby, name="nearby"),
    path("measures/", views.measures, name="measures"),
    path("hotspots/", views.hotspots, name="hotspots"),
    path("supervision/", views.supervision, name="supervision"),
    path("hotline/", hotline_views.hotline, name="hotline"),
    path("hotline/sample.xlsx", hotline_views.hotline_sample, name="hotline_sample"),
    path("hotline/replies.xlsx", hotline_views.hotline_replies, name="hotline_replies"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="act"),
    path("<str:number>/support/", views.support, name="support"),
    path("<str:number>/follow/", views.follow, name="follow"),
    path("<str:number>/updates/", update_views.update_add, name="update-add"),
    path("<str:number>/updates/<int:pk>/hide/", update_views.update_hide, name="update-hide"),
    path("<str:number>/updates/<int:pk>/restore/", update_views.update_restore, name="update-restore"),
    path("<str:number>/updates/<int:pk>/flag/", update_views.update_flag, name="update-flag"),
]
