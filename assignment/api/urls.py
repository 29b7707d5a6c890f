from django.urls import path

from assignment.api import views

urlpatterns = [
    path("leads/<int:lead_id>/assignment/", views.LeadAssignmentApi.as_view(), name="lead_assignment"),
    path("assignment/load/", views.TeamLoadApi.as_view(), name="team_load"),
]
