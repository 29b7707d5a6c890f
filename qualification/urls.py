from django.urls import path

from qualification import views

app_name = "qualification"
urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("leads/<int:lead_id>/", views.lead_card_view, name="lead_card"),
]
