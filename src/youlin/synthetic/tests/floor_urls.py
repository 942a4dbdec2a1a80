"""A URL configuration that routes the benchmarks' floors whatever the setting (tests only)."""

from django.urls import path

from youlin.synthetic import floor

urlpatterns = [path("_bench/insert", floor.insert), path("_bench/list", floor.case_list)]
