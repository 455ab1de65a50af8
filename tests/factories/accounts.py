from __future__ import annotations

import factory

from onestop.accounts.models import Applicant, ApplicantKind, Staff, User
from onestop.accounts.roles import Role
from onestop.core.identifiers import resident_id_check_digit, uscc_check_char
from tests.factories.regions import DepartmentFactory, RegionFactory


def make_resident_id(serial: int, region6: str = "430902", born: str = "19900101") -> str:
    body = f"{region6}{born}{serial % 1000:03d}"
    return body + resident_id_check_digit(body)


def make_enterprise_uscc(serial: int, region6: str = "430902") -> str:
    body = f"92{region6}MA{serial:07d}"[:17]
    return body + uscc_check_char(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo-pass-123")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"工作人员{n}")
    role = Role.WINDOW_CLERK
    region = factory.SubFactory(RegionFactory)
    department = None

    class Params:
        officer = factory.Trait(
            role=Role.OFFICER,
            department=factory.SubFactory(DepartmentFactory),
            is_designated=True,
        )
        chief = factory.Trait(
            role=Role.CHIEF_APPROVER, department=factory.SubFactory(DepartmentFactory)
        )
        supervisor = factory.Trait(role=Role.SUPERVISOR)
        catalog_admin = factory.Trait(role=Role.CATALOG_ADMIN)
        agent = factory.Trait(role=Role.AGENT)


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    kind = ApplicantKind.PERSON
    name = factory.Sequence(lambda n: f"申请人{n}")
    id_number = factory.Sequence(lambda n: make_resident_id(n))
    phone = "13807370001"

    class Params:
        enterprise = factory.Trait(
            kind=ApplicantKind.ENTERPRISE,
            id_number="",
            uscc=factory.Sequence(lambda n: make_enterprise_uscc(n)),
            legal_representative="张三",
        )
