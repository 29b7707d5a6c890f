from django.urls import path

from leads.api import views, views_whatsapp

app_name = "api"
urlpatterns = [
    path("leads/", views.LeadListCreateApi.as_view(), name="leads"),
    path("leads/export/", views.LeadExportApi.as_view(), name="leads_export"),
    path("leads/ingest/", views.LeadIngestApi.as_view(), name="leads_ingest"),
    path("leads/<int:lead_id>/", views.LeadDetailApi.as_view(), name="lead_detail"),
    path("leads/<int:lead_id>/stage/", views.LeadStageChangeApi.as_view(), name="lead_stage"),
    path("leads/<int:lead_id>/timeline/", views.LeadTimelineApi.as_view(), name="lead_timeline"),
    path("leads/<int:lead_id>/notes/", views.LeadNoteCreateApi.as_view(), name="lead_notes"),
    path(
        "leads/<int:lead_id>/whatsapp/messages/",
        views_whatsapp.LeadWhatsAppMessageCreateApi.as_view(),
        name="lead_whatsapp_messages",
    ),
]
