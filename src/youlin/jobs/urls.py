from django.urls import path

from youlin.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.status, name="status"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
