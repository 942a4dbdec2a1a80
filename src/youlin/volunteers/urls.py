app_name = "volunteers"
urlpatterns: list = []
