"""The national code tables of GB/T 39046 Annex A that the catalogue stores or maps to."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onestop.cases.states import SPECIAL_PROCEDURE_EXTENSION_CODE, PauseKind
from onestop.catalog import services
from onestop.catalog.models import (
    CrossDomainScope,
    MaterialMedium,
    MaterialSource,
    ServiceObject,
    ServiceObjectCode,
    service_object_of,
)
from onestop.core.errors import ValidationFailed
from tests.factories.catalog import ServiceItemVersionFactory
from tests.factories.regions import DepartmentFactory

pytestmark = pytest.mark.django_db


def _item(**fields):
    return services.item_create(
        basic_code="1100000000", name="测试事项", department=DepartmentFactory(), **fields
    )


def test_a4_codes_are_stored_and_decide_the_audience():
    version = _item(service_object_codes=["2", "6"])
    version.refresh_from_db()
    assert version.service_object_codes == ["2", "6"]
    assert version.service_object == ServiceObject.ENTERPRISE
    services.item_version_update(version=version, service_object_codes=["1"])
    version.refresh_from_db()
    assert version.service_object == ServiceObject.PERSON


def test_a_version_naming_only_its_audience_gets_its_a4_codes():
    version = _item(service_object=ServiceObject.PERSON)
    version.refresh_from_db()
    assert version.service_object_codes == [ServiceObjectCode.NATURAL_PERSON]


@pytest.mark.parametrize("codes", [["7"], ["0"], ["1", "x"], ["01"]])
def test_a4_codes_outside_the_table_are_refused(codes):
    with pytest.raises(ValidationFailed) as refused:
        _item(service_object_codes=codes)
    assert "服务对象代码" in str(refused.value)


@given(st.sets(st.sampled_from(ServiceObjectCode.values), min_size=1))
def test_the_audience_of_any_a4_codes_is_the_one_the_portal_filters_by(codes):
    audience = service_object_of(sorted(codes))
    person = "1" in codes
    organisation = bool(codes - {"1"})
    assert (
        audience
        == {
            (True, False): ServiceObject.PERSON,
            (False, True): ServiceObject.ENTERPRISE,
            (True, True): ServiceObject.BOTH,
        }[(person, organisation)]
    )


def test_paper_material_needs_original_or_copy_and_electronic_has_none():
    version = ServiceItemVersionFactory()
    with pytest.raises(ValidationFailed) as refused:
        services.material_add(item_version=version, key="lease", name="租赁合同", form="")
    assert "原件或复印件" in str(refused.value)
    electronic = services.material_add(
        item_version=version, key="form", name="申请表", medium=MaterialMedium.ELECTRONIC
    )
    assert electronic.form == ""
    paper = services.material_add(
        item_version=version, key="lease2", name="租赁合同", form="original_or_copy"
    )
    services.material_update(material=paper, medium=MaterialMedium.ELECTRONIC)
    paper.refresh_from_db()
    assert (paper.medium, paper.form) == (MaterialMedium.ELECTRONIC, "")


def test_every_source_channel_has_an_implementation_list_code():
    assert {s: MaterialSource(s).national_code for s in MaterialSource.values} == {
        "applicant": "0",
        "online_form": "0",
        "government": "1",
        "licence": "1",
        "other": "2",
    }


def test_cross_domain_scopes_map_to_the_n1_codes_and_local_scopes_to_none():
    codes = {s: CrossDomainScope(s).national_code for s in CrossDomainScope.values}
    assert codes == {
        "national": "1",
        "cross_province": "2",
        "cross_city": "3",
        "cross_county": "4",
        "city_wide": None,
        "none": None,
    }


def test_special_procedures_map_to_a7():
    assert SPECIAL_PROCEDURE_EXTENSION_CODE == "1"
    assert {PauseKind(k).national_code for k in PauseKind.values} == {"2"}
