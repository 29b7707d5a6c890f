from django.urls import path

from ai_middleware import views

app_name = "ai"
urlpatterns = [
    path("", views.learning_view, name="learning"),
    path("drafts/", views.drafts_view, name="drafts"),
    path("leads/<int:lead_id>/insights/", views.lead_insights_view, name="lead_insights"),
    path("leads/<int:lead_id>/suggestions/", views.lead_suggestions_view, name="lead_suggestions"),
    path("leads/<int:lead_id>/suggestions/<int:suggestion_id>/", views.suggestion_view, name="suggestion"),
    path(
        "leads/<int:lead_id>/suggestions/<int:suggestion_id>/discard/",
        views.suggestion_discard_view,
        name="suggestion_discard",
    ),
]
