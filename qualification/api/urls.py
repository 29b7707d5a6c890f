from django.urls import path

from qualification.api import views

urlpatterns = [
    path("leads/<int:lead_id>/qualification/", views.LeadQualificationApi.as_view(), name="lead_qualification")
]
