from django.urls import path

from leads import views, views_import, views_whatsapp

app_name = "leads"
urlpatterns = [
    path("", views.lead_list_view, name="list"),
    path("export/", views.lead_export_view, name="export"),
    path("views/", views.saved_view_create_view, name="saved_view_create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete_view, name="saved_view_delete"),
    path("bulk/tag/", views.lead_bulk_tag_view, name="bulk_tag"),
    path("bulk/stage/", views.lead_bulk_stage_view, name="bulk_stage"),
    path("bulk/undo/<int:change_id>/", views.lead_bulk_undo_view, name="bulk_undo"),
    path("bulk/export/", views.lead_bulk_export_view, name="bulk_export"),
    path("new/", views.lead_create_view, name="create"),
    path("<int:lead_id>/", views.lead_detail_view, name="detail"),
    path("<int:lead_id>/edit/", views.lead_edit_view, name="edit"),
    path("<int:lead_id>/notes/", views.lead_note_create_view, name="note_create"),
    path("<int:lead_id>/stage/", views.lead_stage_change_view, name="stage_change"),
    path("<int:lead_id>/referrals/", views.lead_referral_create_view, name="referral_create"),
    path("<int:lead_id>/contacts/<int:contact_id>/opt-out/", views.contact_point_opt_out_view, name="contact_opt_out"),
    path("whatsapp/", views_whatsapp.whatsapp_inbox_view, name="whatsapp_inbox"),
    path("<int:lead_id>/whatsapp/", views_whatsapp.lead_whatsapp_panel_view, name="whatsapp_panel"),
    path("<int:lead_id>/whatsapp/text/", views_whatsapp.lead_whatsapp_text_view, name="whatsapp_text"),
    path("<int:lead_id>/whatsapp/template/", views_whatsapp.lead_whatsapp_template_view, name="whatsapp_template"),
    path("<int:lead_id>/whatsapp/rich/", views_whatsapp.lead_whatsapp_rich_view, name="whatsapp_rich"),
    path(
        "<int:lead_id>/whatsapp/<int:message_id>/retry/",
        views_whatsapp.lead_whatsapp_retry_view,
        name="whatsapp_retry",
    ),
    path(
        "<int:lead_id>/whatsapp/<int:message_id>/media/",
        views_whatsapp.lead_whatsapp_media_view,
        name="whatsapp_media",
    ),
    path(
        "<int:lead_id>/whatsapp/quick-reply/",
        views_whatsapp.lead_whatsapp_quick_reply_view,
        name="whatsapp_quick_reply",
    ),
    path("quick-replies/", views_whatsapp.quick_replies_view, name="quick_replies"),
    path("quick-replies/<int:reply_id>/", views_whatsapp.quick_reply_edit_view, name="quick_reply_edit"),
    path("quick-replies/<int:reply_id>/delete/", views_whatsapp.quick_reply_delete_view, name="quick_reply_delete"),
    path("imports/", views_import.import_upload_view, name="import_upload"),
    path("imports/<int:job_id>/", views_import.import_detail_view, name="import_detail"),
    path("imports/<int:job_id>/report.xlsx", views_import.import_report_view, name="import_report"),
    path("duplicates/", views_import.review_queue_view, name="review_queue"),
    path("duplicates/<int:review_id>/decide/", views_import.review_decide_view, name="review_decide"),
]
