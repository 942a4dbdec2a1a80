from django.urls import path

from youlin.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("subscribe/<slug:slug>/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
