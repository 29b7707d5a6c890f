from django.urls import path

from compliance.api import views

urlpatterns = [
    path("auth/tokens/", views.TokenIssueApi.as_view(), name="token_issue"),
    path("auth/tokens/<int:token_id>/", views.TokenRevokeApi.as_view(), name="token_revoke"),
    path("privacy/requests/", views.SubjectRequestCreateApi.as_view(), name="privacy_request_create"),
]
