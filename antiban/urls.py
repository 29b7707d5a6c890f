from django.urls import path

from antiban import views

app_name = "antiban"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("bulk/<int:bulk_id>/decide/", views.bulk_decide_view, name="bulk_decide"),
    path("numbers/<int:number_id>/warmup/", views.warmup_start_view, name="warmup_start"),
]
