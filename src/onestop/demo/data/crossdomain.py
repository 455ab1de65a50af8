"""跨域通办 in the demo (docs/cross_domain.md): two county items that the three pilot
counties (赫山 430903, 资阳 430902, 桃江 430922) receive for one another, a package routed
to the applicant's residence, and the county staff who receive and handle them."""

from __future__ import annotations

from onestop.accounts.roles import Role
from onestop.catalog.models import (
    CrossDomainScope,
    ExerciseLevel,
    HandlingForm,
    ItemType,
    MaterialMedium,
    OnlineDepth,
    RoutingRule,
    ServiceObject,
    SubjectKind,
)
from onestop.demo.data.catalog import (
    HOUSEHOLD_REGISTER,
    ID_CARD,
    _item_fields,
    _package_fields,
    _person_fields,
)
from onestop.demo.data.catalog_specs import (
    ItemSpec,
    MaterialSpec,
    PackageItemSpec,
    PackageSpec,
    QuestionSpec,
    StepSpec,
    when,
)
from onestop.demo.data.people import StaffSpec, resident_id

HESHAN, ZIYANG, TAOJIANG = "430903", "430902", "430922"
COUNTIES = {HESHAN: "赫山区", ZIYANG: "资阳区", TAOJIANG: "桃江县"}

PENSION_ENROLMENT = "000216101000"
SUBSISTENCE_ALLOWANCE = "000209102000"
PACKAGE_CODE = "4309YJS0401"

_COUNTY_PLACE = "各区县政务服务中心“跨域通办”窗口（可在赫山区、资阳区、桃江县任一窗口申请）"
_WINDOW_FORMS = [HandlingForm.WINDOW, HandlingForm.ONLINE_PC, HandlingForm.ONLINE_MOBILE]

ITEMS: list[ItemSpec] = [
    ItemSpec(
        PENSION_ENROLMENT,
        "城乡居民基本养老保险参保登记",
        (HESHAN, "hrss"),
        _item_fields(
            item_type=ItemType.PUBLIC_SERVICE,
            exercise_level=ExerciseLevel.COUNTY,
            legal_basis="《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
            conditions="年满16周岁（不含在校学生）、非国家机关和事业单位工作人员及不属于职工基本养老保险覆盖范围的城乡居民。",
            legal_limit=15,
            promised_days=5,
            visits=1,
            visit_reason="首次参保须核验本人身份并签署参保登记表。",
            online_depth=OnlineDepth.LEVEL_3,
            service_object=ServiceObject.PERSON,
            handling_forms=[*_WINDOW_FORMS],
            cross_domain_scope=CrossDomainScope.CROSS_COUNTY,
            place=_COUNTY_PLACE,
            consultation_phone="0737-12333",
            result_name="城乡居民基本养老保险参保登记凭证",
            result_delivery="收件窗口领取或免费邮寄",
        ),
        (
            ID_CARD,
            HOUSEHOLD_REGISTER,
            MaterialSpec(
                "pension_enrolment_form",
                "城乡居民基本养老保险参保登记表",
                medium=MaterialMedium.ELECTRONIC,
                form="",
            ),
        ),
        (
            StepSpec("受理", 0, "收件地“跨域通办”窗口"),
            StepSpec("审核", 4, "户籍地区县人社局（社保中心）"),
            StepSpec("办结", 1, "户籍地区县人社局（社保中心）"),
        ),
    ),
    ItemSpec(
        SUBSISTENCE_ALLOWANCE,
        "最低生活保障对象认定",
        (HESHAN, "civil"),
        _item_fields(
            item_type=ItemType.CONFIRMATION,
            exercise_level=ExerciseLevel.COUNTY,
            legal_basis="《社会救助暂行办法》第十一条；《湖南省最低生活保障工作规程》",
            conditions="共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定。",
            legal_limit=30,
            promised_days=20,
            visits=1,
            visit_reason="须入户调查家庭经济状况。",
            online_depth=OnlineDepth.LEVEL_3,
            service_object=ServiceObject.PERSON,
            handling_forms=[*_WINDOW_FORMS],
            cross_domain_scope=CrossDomainScope.CITY_WIDE,
            place=_COUNTY_PLACE,
            consultation_phone="0737-4224312",
            result_name="最低生活保障对象认定决定",
            result_delivery="收件窗口领取或免费邮寄",
        ),
        (
            ID_CARD,
            HOUSEHOLD_REGISTER,
            MaterialSpec(
                "household_income",
                "家庭收入和财产状况申报及授权核查书",
                medium=MaterialMedium.ELECTRONIC,
                form="",
            ),
        ),
        (
            StepSpec("受理", 0, "收件地“跨域通办”窗口"),
            StepSpec("审核", 15, "户籍地区县民政局、乡镇（街道）入户调查"),
            StepSpec("决定", 5, "户籍地区县民政局"),
        ),
    ),
]

PACKAGES: list[PackageSpec] = [
    PackageSpec(
        PACKAGE_CODE,
        "跨县通办·城乡居民社保参保",
        (HESHAN, "hrss"),
        _package_fields(
            summary=(
                "在赫山区、资阳区、桃江县任一政务服务中心“跨域通办”窗口申请，"
                "由户籍地区县人社、民政部门办理（异地代收代办），结果回收件窗口领取或免费邮寄。"
            ),
            subject_kind=SubjectKind.PERSON,
            promised_days=20,
            life_event="社会保障",
            keywords="跨域通办 异地办 养老保险 参保 低保 异地代收",
            routing_rule=RoutingRule.APPLICANT_RESIDENCE,
        ),
        (
            PackageItemSpec(PENSION_ENROLMENT, handling_note="由户籍地区县人社局办理。"),
            PackageItemSpec(
                SUBSISTENCE_ALLOWANCE,
                when("needs_allowance", True),
                "家庭人均收入低于当地低保标准的，同时申请低保，由收件地（现居住地）民政部门认定。",
                routing_rule=RoutingRule.RECEIVING_REGION,
            ),
        ),
        questions=(QuestionSpec("needs_allowance", "是否同时申请最低生活保障？"),),
        form_fields=_person_fields(PENSION_ENROLMENT, SUBSISTENCE_ALLOWANCE),
    ),
]

# (username, name, role, region, department kind or "", hall, note)
STAFF: list[StaffSpec] = [
    StaffSpec(
        "clerk_ziyang",
        "黄淑芬",
        Role.WINDOW_CLERK,
        ZIYANG,
        hall="资阳区政务服务中心",
        phone="13907370104",
        note="资阳区政务服务中心“跨域通办”窗口",
    ),
    StaffSpec(
        "clerk_taojiang",
        "谭志勇",
        Role.WINDOW_CLERK,
        TAOJIANG,
        hall="桃江县政务服务中心",
        phone="13907370105",
        note="桃江县政务服务中心“跨域通办”窗口",
    ),
    *(
        StaffSpec(
            f"officer_{slug}_{kind}",
            name,
            Role.OFFICER,
            code,
            (code, kind),
            f"{COUNTIES[code]}政务服务中心",
            is_designated=True,
            phone=phone,
            note=f"{COUNTIES[code]}{label}专人（跨域通办办理地）",
        )
        for slug, code, kind, label, name, phone in (
            ("ziyang", ZIYANG, "hrss", "人社局", "梁红梅", "13907370161"),
            ("taojiang", TAOJIANG, "hrss", "人社局", "曾宪平", "13907370162"),
            ("heshan", HESHAN, "civil", "民政局", "袁丽华", "13907370163"),
            ("ziyang", ZIYANG, "civil", "民政局", "戴国强", "13907370164"),
            ("taojiang", TAOJIANG, "civil", "民政局", "文秀英", "13907370165"),
        )
    ),
]

# Residents of the three counties who apply away from home (no logins: they apply at a window).
PERSONS: list[tuple[str, str, str, str, str]] = [
    # (name, 居民身份证号码, phone, region code, address)
    (
        "刘建国",
        resident_id(HESHAN, "19680521", "113"),
        "13807373101",
        "430903103211",
        "益阳市赫山区兰溪镇兰溪村四组",
    ),
    (
        "陈秀兰",
        resident_id(HESHAN, "19720914", "126"),
        "13807373102",
        "430903001",
        "益阳市赫山区赫山街道",
    ),
    (
        "周志明",
        resident_id(ZIYANG, "19810302", "135"),
        "13807373103",
        "430902103203",
        "益阳市资阳区新桥河镇羞山村二组",
    ),
    (
        "李桂香",
        resident_id(ZIYANG, "19650718", "148"),
        "13807373104",
        "430902001",
        "益阳市资阳区汽车路街道",
    ),
    (
        "吴海波",
        resident_id(TAOJIANG, "19880125", "157"),
        "13807373105",
        "430922101208",
        "桃江县灰山港镇刘家湾村六组",
    ),
    (
        "谢冬梅",
        resident_id(TAOJIANG, "19761203", "162"),
        "13807373106",
        "430922104202",
        "桃江县武潭镇沾溪村一组",
    ),
]
