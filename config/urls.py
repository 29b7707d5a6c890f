from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from common import views as common_views
from compliance import password_reset, twofactor
from compliance import views as compliance_views
from compliance.roles import Role, user_has_role
from leads import views_bulk_send
from leads.views_public import web_form_view
from leads.views_webhooks import facebook_leadgen_view, google_ads_lead_view
from whatsapp.views_webhooks import whatsapp_webhook_view


def _admin_site_permission(request) -> bool:
    """The Django admin is for the Admin role only (staff flag alone is not enough)."""
    user = request.user
    return user.is_active and user.is_staff and user_has_role(user, Role.ADMIN)


admin.site.has_permission = _admin_site_permission
admin.site.site_header = "Fluxo"

urlpatterns = [
    path("", compliance_views.home, name="home"),
    path("healthz", common_views.healthz, name="healthz"),
    path("readyz", common_views.readyz, name="readyz"),
    # browsers ask for /favicon.ico on pages that name none (the admin's): a 404 in every admin console
    path("favicon.ico", common_views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/reset/", password_reset.PasswordResetRequestView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", password_reset.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/2fa/setup/", twofactor.two_factor_setup_view, name="two_factor_setup"),
    path("accounts/2fa/verify/", twofactor.two_factor_verify_view, name="two_factor_verify"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("leads/", include("leads.urls")),
    path("whatsapp/", include("whatsapp.urls")),
    # the bulk send form decides whom to write to (the workspace's part): it lives in leads, under the same address
    path("antiban/bulk/new/", views_bulk_send.bulk_send_new_view, name="bulk_send_new"),
    path("antiban/", include("antiban.urls")),
    path("ai/", include("ai_middleware.urls")),
    path("privacidade/", include("compliance.urls")),
    path("f/<str:token>/", web_form_view, name="web_form"),
    path("webhooks/whatsapp/", whatsapp_webhook_view, name="whatsapp_webhook"),
    path("webhooks/facebook/leadgen/", facebook_leadgen_view, name="facebook_leadgen_webhook"),
    path("webhooks/google-ads/<int:source_id>/", google_ads_lead_view, name="google_ads_webhook"),
    path("", include("assignment.urls")),
    path("qualificacao/", include("qualification.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("leads.api.urls")),
    path("api/v1/", include("compliance.api.urls")),
    path("api/v1/", include("antiban.api.urls")),
    path("api/v1/", include("ai_middleware.api.urls")),
    path("api/v1/", include("qualification.api.urls")),
    path("api/v1/", include("assignment.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
