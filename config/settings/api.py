"""Django REST framework and the OpenAPI schema."""

from __future__ import annotations

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "compliance.auth.ScopedTokenAuthentication",
        "compliance.auth.VerifiedSessionAuthentication",  # a 2FA session only after its code step
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "compliance.auth.TokenHasScope",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    # JSON nested too deep or carrying NUL characters is a 400 naming where (common.jsonbody), never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.JSONParser",
        "common.parsers.NulFreeFormParser",
        "common.parsers.NulFreeMultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fluxo API",
    "DESCRIPTION": "Lead management for WhatsApp-first sales teams. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from local static files (no CDN), its init script served separately for the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LeadStageEnum": "leads.models.LeadStage",
        "InterestTypeEnum": "leads.models.InterestType",
        "BrazilianStateEnum": "leads.models.BrazilianState",
        "EventKindEnum": "leads.models.EventKind",
        "EventChannelEnum": "leads.models.EventChannel",
        "SourceKindEnum": "leads.models.SourceKind",
        "ContactKindEnum": "leads.models.ContactKind",
        "SubjectRightEnum": "compliance.models.SubjectRight",
        "SubjectRequestStatusEnum": "compliance.models.SubjectRequestStatus",
    },
}
