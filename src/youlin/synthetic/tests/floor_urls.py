"""A URL configuration that routes the benchmarks' floors whatever the setting, beside the site's own pages (whose
404 page links home) (tests only)."""

from django.urls import path

from youlin.synthetic import floor
from youlin.urls import urlpatterns as site

urlpatterns = [path("_bench/insert", floor.insert), path("_bench/list", floor.case_list), *site]
