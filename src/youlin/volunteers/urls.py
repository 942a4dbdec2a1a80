from django.urls import path

from youlin.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("hours/", views.hours, name="hours"),
    path("hours/export/", views.hours_export, name="hours_export"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.activity_act, name="act"),
]
