"""Factories for the core models, shared by every app's tests."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from cityexchange.core.models import Membership, Organisation, OrganisationKind, Person, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        from cityexchange.core.services import user_role_grant

        self.save()
        for role in extracted or []:
            user_role_grant(user=self, role=role)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"town-{n}")
    name = factory.Sequence(lambda n: f"Town {n}")
    name_en = factory.SelfAttribute("name")
    kind = OrganisationKind.MUNICIPALITY
    country = "DE"
    population = 20000
    experience = "newcomer"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Faker("name")
    country = "DE"
    public_profile = True
