from django.urls import path

from youlin.verification import views

app_name = "verification"
urlpatterns = [
    path("code/", views.code_send, name="code-send"),
    path("confirm/", views.code_confirm, name="code-confirm"),
    path("forget/", views.phone_forget, name="forget"),
]
