from django.urls import path

from antiban.api import views

urlpatterns = [
    path("antiban/metrics/", views.AntibanMetricsApi.as_view(), name="antiban_metrics"),
]
