"""Load the Yiyang demo data set, idempotently, through the apps' services.

``demo_load()`` runs the sections in ``SECTIONS`` in order, each in its own transaction.
Every record is looked up by its natural key first (region code, department 统一社会信用代码,
hall name at its region, window number in its hall, username, ID number / credit code, item
基本编码, package code) and created only when missing, so a second run creates nothing. The
last section (``cases``, in ``demo.cases``) plays sample applications through the case
services; each is keyed by its idempotency key, so it too runs once.

Catalogue entries are created as drafts and published with ``item_version_publish`` /
``package_version_publish``, so the quality checker validates the demo catalogue exactly as
it validates an administrator's edits.

Two writes have no service in ``accounts`` yet and are done here, in ``_user_create``:
the superuser, and the logins of applicants (``applicant_register_*`` take an existing
user); the catalogue administrator's login is marked ``is_staff`` so it can open the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

from onestop.accounts import services as accounts_services
from onestop.accounts.models import Applicant, ApplicantKind, Staff, User
from onestop.accounts.roles import Role
from onestop.catalog import services as catalog_services
from onestop.catalog.models import (
    Package,
    PackageItem,
    PackageVersion,
    ServiceItem,
    ServiceItemVersion,
    VersionStatus,
)
from onestop.demo.agents import load_agents
from onestop.demo.cases import load_cases
from onestop.demo.certificates import load_certificates
from onestop.demo.crossdomain import load_cross_domain
from onestop.demo.data import catalog as catalog_data
from onestop.demo.data import crossdomain as crossdomain_data
from onestop.demo.data import people, regions
from onestop.demo.data.catalog_specs import ItemSpec, PackageSpec
from onestop.demo.delivery import load_delivery
from onestop.demo.evaluations import load_evaluations
from onestop.demo.history import load_history
from onestop.demo.stats import load_stats
from onestop.demo.summary import DemoSummary
from onestop.demo.supervision import load_supervision
from onestop.demo.villages import load_villages
from onestop.regions import services as regions_services
from onestop.regions.models import Department, Hall, Region, Window

Section = Callable[[DemoSummary], None]
V = TypeVar("V", ServiceItemVersion, PackageVersion)


# --- lookups by natural key -----------------------------------------------------------


def _regions() -> dict[str, Region]:
    return {r.code: r for r in Region.objects.filter(code__startswith=regions.CITY_CODE[:2])}


def _department(region_code: str, kind: str) -> Department:
    return Department.objects.select_related("region").get(region__code=region_code, kind=kind)


# --- sections -------------------------------------------------------------------------


def load_regions(summary: DemoSummary) -> None:
    """湖南省 → 益阳市 → its counties, townships and villages (pilots marked)."""
    existing = _regions()
    for spec in regions.REGIONS:
        created = spec.code not in existing
        if created:
            existing[spec.code] = regions_services.region_create(
                code=spec.code,
                name=spec.name,
                level=spec.level,
                parent=existing[spec.parent_code] if spec.parent_code else None,
                is_pilot=spec.is_pilot,
            )
        summary.tally("regions", created=created)


def load_organisations(summary: DemoSummary) -> None:
    """Departments at city and county level, halls at every level, and their windows."""
    by_code = _regions()
    taken = set(Department.objects.values_list("uscc", flat=True))
    for spec in regions.DEPARTMENTS:
        created = spec.uscc not in taken
        if created:
            regions_services.department_create(
                name=spec.name,
                uscc=spec.uscc,
                region=by_code[spec.region_code],
                short_name=spec.short_name,
                kind=spec.kind,
                phone=spec.phone,
            )
        summary.tally("departments", created=created)

    for spec in regions.HALLS:
        region = by_code[spec.region_code]
        hall = Hall.objects.filter(region=region, name=spec.name).first()
        summary.tally("halls", created=hall is None)
        if hall is None:
            hall = regions_services.hall_create(
                name=spec.name,
                kind=spec.kind,
                region=region,
                address=spec.address,
                opening_hours=spec.opening_hours,
                phone=spec.phone,
            )
        numbers = set(Window.objects.filter(hall=hall).values_list("number", flat=True))
        for window in spec.windows:
            created = window.number not in numbers
            if created:
                department = (
                    _department(spec.region_code, window.department_kind)
                    if window.department_kind
                    else None
                )
                regions_services.window_create(
                    hall=hall,
                    number=window.number,
                    name=window.name,
                    kind=window.kind,
                    department=department,
                )
            summary.tally("windows", created=created)


def _user_create(*, username: str, name: str, is_staff: bool = False) -> User:
    """A login with the demo password (accounts has no service for bare logins yet)."""
    user = User.objects.create_user(
        username=username, password=people.DEMO_PASSWORD, first_name=name
    )
    if is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


def load_people(summary: DemoSummary) -> None:
    """The superuser, staff for every role, and applicants (persons and an enterprise)."""
    usernames = set(User.objects.values_list("username", flat=True))

    admin = people.SUPERUSER
    if admin.username not in usernames:
        User.objects.create_superuser(
            username=admin.username,
            email=admin.email,
            password=people.DEMO_PASSWORD,
            first_name=admin.name,
        )
    summary.tally("users", created=admin.username not in usernames)

    by_code = _regions()
    for spec in [*people.STAFF, *crossdomain_data.STAFF]:
        created = spec.username not in usernames
        if created:
            staff = accounts_services.staff_create(
                username=spec.username,
                password=people.DEMO_PASSWORD,
                name=spec.name,
                role=spec.role,
                region=by_code[spec.region_code],
                department=_department(*spec.department) if spec.department else None,
                hall=Hall.objects.get(name=spec.hall) if spec.hall else None,
                phone=spec.phone,
                is_designated=spec.is_designated,
            )
            if spec.role == Role.CATALOG_ADMIN:
                # The admin site is the catalogue administrator's tool (issue 2).
                staff.user.is_staff = True
                staff.user.save(update_fields=["is_staff"])
        summary.tally("users", created=created)
        summary.tally("staff", created=created)

    for person in people.PERSONS:
        exists = Applicant.objects.filter(
            kind=ApplicantKind.PERSON, id_number=person.id_number
        ).exists()
        if not exists:
            user = (
                None
                if person.username in usernames
                else _user_create(username=person.username, name=person.name)
            )
            accounts_services.applicant_register_person(
                name=person.name,
                id_number=person.id_number,
                phone=person.phone,
                user=user,
                address=person.address,
                region=by_code[person.region_code],
            )
        summary.tally("users", created=not exists and person.username not in usernames)
        summary.tally("applicants", created=not exists)

    for enterprise in people.ENTERPRISES:
        exists = Applicant.objects.filter(
            kind=ApplicantKind.ENTERPRISE, uscc=enterprise.uscc
        ).exists()
        if not exists:
            user = (
                None
                if enterprise.username in usernames
                else _user_create(username=enterprise.username, name=enterprise.name)
            )
            accounts_services.applicant_register_enterprise(
                name=enterprise.name,
                uscc=enterprise.uscc,
                legal_representative=enterprise.legal_representative,
                legal_representative_id_number=enterprise.legal_representative_id_number,
                phone=enterprise.phone,
                user=user,
                address=enterprise.address,
                region=by_code[enterprise.region_code],
            )
        summary.tally("users", created=not exists and enterprise.username not in usernames)
        summary.tally("applicants", created=not exists)


def _publisher() -> User | None:
    """Demo catalogue entries are published in the catalogue administrator's name."""
    staff = Staff.objects.filter(role=Role.CATALOG_ADMIN).select_related("user").first()
    return staff.user if staff else None


def _item_create(spec: ItemSpec) -> ServiceItemVersion:
    department = _department(*spec.department)
    fields = dict(spec.fields)
    fields.setdefault(
        "implementation_code",
        f"{spec.basic_code}-{department.region.full_code}-000-{department.uscc}-1-00",
    )
    version = catalog_services.item_create(
        basic_code=spec.basic_code, name=spec.name, department=department, **fields
    )
    for material in spec.materials:
        catalog_services.material_add(
            item_version=version,
            key=material.key,
            name=material.name,
            medium=material.medium,
            form=material.form,
            copies=material.copies,
            necessity=material.necessity,
            source=material.source,
            licence_type=material.licence_type,
            notes=material.notes,
            condition=material.condition,
        )
    for step in spec.steps:
        catalog_services.process_step_add(
            item_version=version,
            name=step.name,
            limit_days=step.limit_days,
            handling_office=step.handling_office,
            has_special_procedure=step.has_special_procedure,
            special_procedure_note=step.special_procedure_note,
        )
    for fee in spec.fees:
        catalog_services.fee_item_add(
            item_version=version,
            name=fee.name,
            standard=fee.standard,
            amount=fee.amount,
            basis=fee.basis,
            allows_reduction=fee.allows_reduction,
        )
    return version


def _unpublished_draft(versions: list[V]) -> V | None:
    """The draft to publish when an identity has never been published, else None."""
    if any(v.status != VersionStatus.DRAFT for v in versions):
        return None
    return max(versions, key=lambda v: v.version) if versions else None


def _choices(pairs: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


def _package_create(spec: PackageSpec) -> PackageVersion:
    version = catalog_services.package_create(
        code=spec.code, name=spec.name, lead_department=_department(*spec.lead), **spec.fields
    )
    # Questions first: item conditions and form fields are checked against them.
    for question in spec.questions:
        catalog_services.situation_question_add(
            package_version=version,
            key=question.key,
            text=question.text,
            kind=question.kind,
            choices=_choices(question.choices),
            unit=question.unit,
            help_text=question.help_text,
        )
    items_by_code = {i.basic_code: i for i in ServiceItem.objects.all()}
    package_items: dict[str, PackageItem] = {}
    for component in spec.items:
        package_items[component.basic_code] = catalog_services.package_item_add(
            package_version=version,
            item=items_by_code[component.basic_code],
            condition=component.condition,
            handling_note=component.handling_note,
            routing_rule=component.routing_rule,
        )
    for before, after in spec.dependencies:
        catalog_services.package_dependency_add(
            package_version=version, before=package_items[before], after=package_items[after]
        )
    for form_field in spec.form_fields:
        catalog_services.form_field_add(
            package_version=version,
            key=form_field.key,
            label=form_field.label,
            kind=form_field.kind,
            required=form_field.required,
            choices=_choices(form_field.choices),
            max_length=form_field.max_length,
            help_text=form_field.help_text,
            items=[package_items[code] for code in form_field.items],
            condition=form_field.condition,
        )
    return version


def load_catalog(summary: DemoSummary) -> None:
    """Items and packages, each created as a draft and published through the checker."""
    actor = _publisher()
    items = {i.basic_code: i for i in ServiceItem.objects.prefetch_related("versions")}
    for spec in [*catalog_data.ITEMS, *crossdomain_data.ITEMS]:
        item = items.get(spec.basic_code)
        draft = (
            _item_create(spec) if item is None else _unpublished_draft(list(item.versions.all()))
        )
        if draft is not None:
            catalog_services.item_version_publish(version=draft, actor=actor)
        summary.tally("items", created=item is None)

    packages = {p.code: p for p in Package.objects.prefetch_related("versions")}
    for spec in [*catalog_data.PACKAGES, *crossdomain_data.PACKAGES]:
        package = packages.get(spec.code)
        draft = (
            _package_create(spec)
            if package is None
            else _unpublished_draft(list(package.versions.all()))
        )
        if draft is not None:
            catalog_services.package_version_publish(version=draft, actor=actor)
        summary.tally("packages", created=package is None)


SECTIONS: list[tuple[str, Section]] = [
    ("regions", load_regions),
    ("organisations", load_organisations),
    ("people", load_people),
    ("catalog", load_catalog),
    ("cases", load_cases),
    # 帮代办: agents, elderly applicants, their authorisations and the agents' cases.
    ("agents", load_agents),
    # Months of history in bulk (ONESTOP_DEMO_HISTORY_CASES); the sweeps below catch up on it.
    ("history", load_history),
    ("delivery", load_delivery),
    # 跨域通办 across 赫山, 资阳 and 桃江 (docs/cross_domain.md), before the sweeps below.
    ("cross_domain", load_cross_domain),
    ("evaluations", load_evaluations),
    ("supervision", load_supervision),
    # 办事不出村: station clerks, seals delegated to the centres, village cases sealed there.
    ("villages", load_villages),
    # It seals the results of every task the sections above decided, then the wallet's
    # application reuses a sealed 营业执照.
    ("certificates", load_certificates),
    # Last: the figures catch up with every case above, the wallet's too.
    ("stats", load_stats),
]


def demo_load(*, until: str | None = None) -> DemoSummary:
    """Create whatever of the Yiyang demo data set is missing; a second run changes nothing.

    ``until`` stops after the named section (``"cases"``: the catalogue and the sample
    cases without what the other apps add on top of them).
    """
    names = [name for name, _section in SECTIONS]
    if until is not None and until not in names:
        raise ValueError(f"no demo section {until!r}; the sections are {names}")
    summary = DemoSummary()
    for name, section in SECTIONS:
        with transaction.atomic():
            section(summary)
        if name == until:
            break
    return summary
