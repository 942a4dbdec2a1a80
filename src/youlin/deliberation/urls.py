from django.urls import path

from youlin.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("new/from-case/<str:number>/", views.meeting_new_from_case, name="new-from-case"),
    path("action-items/", views.my_action_items, name="my-action-items"),
    path("action-items/<int:pk>/complete/", views.action_item_complete, name="action-item-complete"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/respond/", views.notice_respond, name="notice-respond"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/act/<str:action>/", views.meeting_act, name="act"),
]
