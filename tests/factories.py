"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from assignment.models import Team
from compliance.roles import Role, role_grant
from leads.models import ContactKind, ContactPoint, Lead, LeadSource, SourceKind

factory.Faker._DEFAULT_LOCALE = "pt_BR"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            role_grant(user=self, role=extracted)


def consultant(**kwargs):
    return UserFactory(role=Role.CONSULTANT, **kwargs)


def supervisor(**kwargs):
    return UserFactory(role=Role.SUPERVISOR, **kwargs)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Equipe {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if extracted:
            self.members.add(*extracted)


class LeadSourceFactory(DjangoModelFactory):
    class Meta:
        model = LeadSource
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Fonte {n}")
    kind = SourceKind.WEB_FORM


class LeadFactory(DjangoModelFactory):
    """A lead with a primary WhatsApp phone. Use ``leads.services.lead_create`` when the timeline matters."""

    class Meta:
        model = Lead
        skip_postgeneration_save = True

    full_name = factory.Faker("name")
    city = "São Paulo"
    state = "SP"
    source = factory.SubFactory(LeadSourceFactory)

    @factory.post_generation
    def phone(self, create, extracted, **kwargs):
        value = extracted or f"+55119{8000_0000 + self.pk % 9999_9999:08d}"
        ContactPoint.objects.create(lead=self, kind=ContactKind.PHONE, value=value, is_primary=True, is_whatsapp=True)

    @factory.post_generation
    def email(self, create, extracted, **kwargs):
        if extracted:
            ContactPoint.objects.create(lead=self, kind=ContactKind.EMAIL, value=extracted, is_primary=True)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if extracted:
            from leads.services import tag_get_or_create_path

            self.tags.add(*[tag_get_or_create_path(p) for p in extracted])
