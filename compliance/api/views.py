"""Token issuance (behind django-axes' lockout) and revocation."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_otp import user_has_device
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from common.errors import ApplicationError
from compliance.models import ApiToken, SubjectRequest, SubjectRequestChannel, SubjectRight
from compliance.roles import Role, user_has_role
from compliance.services.subject_requests import subject_request_create
from compliance.services.tokens import SCOPES, api_token_issue, api_token_revoke
from compliance.twofactor import two_factor_code_check


class InvalidCredentials(ApplicationError):
    code = "invalid_credentials"
    http_status = 401


class TwoFactorCodeInvalid(ApplicationError):
    code = "otp_invalid"
    http_status = 401


class TokenIssueInputSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=16,
        default="",
        help_text="The current code of the authenticator app; required when the account has two-factor on.",
    )
    name = serializers.CharField(max_length=100)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=sorted(SCOPES)), allow_empty=False)
    expires_in_days = serializers.IntegerField(min_value=1, max_value=365, default=90)


class TokenOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"]


class TokenIssuedSerializer(TokenOutputSerializer):
    key = serializers.CharField(help_text="Shown once: store it now.")

    class Meta(TokenOutputSerializer.Meta):
        fields = [*TokenOutputSerializer.Meta.fields, "key"]


class TokenIssueApi(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="auth_tokens_create",
        summary="Issue a scoped API token (integrators only)",
        request=TokenIssueInputSerializer,
        responses={201: TokenIssuedSerializer, 401: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        data = TokenIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The HttpRequest goes to authenticate() so django-axes counts failures and locks out.
        user = authenticate(
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None or not user_has_role(user, Role.INTEGRATOR, Role.ADMIN):
            raise InvalidCredentials(_("Wrong credentials, or the account is not an integrator."))
        if user_has_device(user, confirmed=True):
            otp = data.validated_data["otp"]
            if two_factor_code_check(user, otp) is None:
                # A failed login like a wrong password: audited, and counted by django-axes towards the lockout.
                user_login_failed.send(
                    sender=__name__, credentials={"username": data.validated_data["username"]}, request=request._request
                )
                if not otp.strip():
                    raise TwoFactorCodeInvalid(
                        _(
                            "This account uses two-factor authentication: send the current code of its "
                            "authenticator app in “otp”."
                        ),
                        code="otp_required",
                    )
                raise TwoFactorCodeInvalid(_("Wrong or expired two-factor code in “otp”: send the newest one."))
        token, key = api_token_issue(
            user=user,
            name=data.validated_data["name"],
            scopes=data.validated_data["scopes"],
            expires_in_days=data.validated_data["expires_in_days"],
        )
        body = TokenOutputSerializer(token).data | {"key": key}
        return Response(body, status=status.HTTP_201_CREATED)


class TokenRevokeApi(APIView):
    required_scopes = {"DELETE": "leads:read"}

    @extend_schema(operation_id="auth_tokens_revoke", responses={204: None, 404: ErrorSerializer})
    def delete(self, request, token_id: int):
        token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
        api_token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubjectRequestInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SubjectRight.choices)
    requester_name = serializers.CharField(max_length=200)
    contact = serializers.CharField(max_length=254)
    contact_kind = serializers.ChoiceField(choices=[("email", "email"), ("phone", "phone")])
    document = serializers.CharField(max_length=14, required=False, default="")
    details = serializers.CharField(max_length=4000, required=False, default="")
    corrections = serializers.DictField(child=serializers.CharField(), required=False, default=dict)


class SubjectRequestOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SubjectRequest
        fields = ["public_id", "kind", "status", "channel", "created_at", "due_at", "completed_at", "result"]


class SubjectRequestCreatedSerializer(SubjectRequestOutputSerializer):
    code_sent = serializers.BooleanField(help_text="Whether the confirmation code left for the contact given.")
    message = serializers.CharField(help_text="What happens next, for the person.")

    class Meta(SubjectRequestOutputSerializer.Meta):
        fields = [*SubjectRequestOutputSerializer.Meta.fields, "code_sent", "message"]


class SubjectRequestCreateApi(APIView):
    """An integrator relays a person's request; the person still confirms with the code sent to their contact."""

    required_scopes = {"POST": "privacy:write"}

    @extend_schema(
        operation_id="privacy_requests_create",
        request=SubjectRequestInputSerializer,
        responses={201: SubjectRequestCreatedSerializer, 400: ErrorSerializer},
    )
    def post(self, request):
        data = SubjectRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subject_request, _code = subject_request_create(channel=SubjectRequestChannel.API, **data.validated_data)
        subject_request.message = (
            _("The request is registered. The person confirms it with the code sent to the contact given.")
            if subject_request.code_sent
            else _(
                "The request is registered, but the confirmation code could not be sent. "
                "Our team will check the identity another way; the 15-day deadline runs from now."
            )
        )
        return Response(SubjectRequestCreatedSerializer(subject_request).data, status=status.HTTP_201_CREATED)
