from django.urls import path

from youlin.intake import views

app_name = "intake"

urlpatterns = [
    path("suggest/", views.suggest_partial, name="suggest"),
    path("terms.json", views.search_terms, name="terms"),
]
