from django.urls import path

from compliance import views

urlpatterns = [
    path("", views.privacy_request_view, name="privacy_request"),
    path("<uuid:public_id>/", views.privacy_status_view, name="privacy_status"),
    path("<uuid:public_id>/download.<str:fmt>", views.privacy_download_view, name="privacy_download"),
]
