from django.urls import path

from ai_middleware.api import views

urlpatterns = [
    path("leads/<int:lead_id>/ai/", views.LeadAiApi.as_view(), name="lead_ai"),
    path("ai/extract/", views.AiExtractApi.as_view(), name="ai_extract"),
]
