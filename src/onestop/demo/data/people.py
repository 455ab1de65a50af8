"""Demo staff and applicants. Every one of them logs in with ``DEMO_PASSWORD``."""

from __future__ import annotations

from dataclasses import dataclass

from onestop.accounts.roles import Role
from onestop.core.identifiers import resident_id_check_digit, uscc_check_char

DEMO_PASSWORD = "onestop-demo"  # noqa: S105 — printed on purpose: it is a demonstration


def resident_id(region6: str, born: str, sequence: str) -> str:
    """A 居民身份证号码 with its GB 11643 check digit (odd sequence: male, even: female)."""
    first17 = f"{region6}{born}{sequence}"
    return first17 + resident_id_check_digit(first17)


def enterprise_uscc(region6: str, org_body: str) -> str:
    """A 统一社会信用代码 of a company registered by market regulation (``91``)."""
    first17 = f"91{region6}{org_body}"
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True)
class SuperuserSpec:
    username: str
    name: str
    email: str


@dataclass(frozen=True)
class StaffSpec:
    username: str
    name: str
    role: Role
    region_code: str
    department: tuple[str, str] | None = None  # (region code, department kind)
    hall: str = ""  # hall name
    is_designated: bool = False
    phone: str = ""
    note: str = ""


@dataclass(frozen=True)
class PersonSpec:
    username: str
    name: str
    id_number: str
    phone: str
    region_code: str
    address: str
    note: str = ""


@dataclass(frozen=True)
class EnterpriseSpec:
    username: str
    name: str
    uscc: str
    legal_representative: str
    legal_representative_id_number: str
    phone: str
    region_code: str
    address: str
    note: str = ""


SUPERUSER = SuperuserSpec("admin", "系统管理员", "admin@onestop.invalid")

CITY_HALL = "益阳市政务服务中心"

STAFF: list[StaffSpec] = [
    StaffSpec(
        "clerk",
        "刘晓敏",
        Role.WINDOW_CLERK,
        "4309",
        hall=CITY_HALL,
        phone="13907370101",
        note="市政务服务中心综合受理窗口",
    ),
    StaffSpec(
        "clerk_heshan",
        "周建华",
        Role.WINDOW_CLERK,
        "430903",
        hall="赫山区政务服务中心",
        phone="13907370102",
        note="赫山区政务服务中心综合受理（跨域通办）窗口",
    ),
    StaffSpec(
        "clerk_village",
        "曹丽",
        Role.WINDOW_CLERK,
        "430903101206",
        hall="芙蓉村便民服务站",
        phone="13907370103",
        note="赫山区泉交河镇芙蓉村便民服务站（试点村）",
    ),
    StaffSpec(
        "officer_market",
        "王志刚",
        Role.OFFICER,
        "4309",
        ("4309", "market"),
        CITY_HALL,
        is_designated=True,
        phone="13907370111",
        note="市市场监管局“一件事”专人",
    ),
    StaffSpec(
        "officer_tax",
        "陈静",
        Role.OFFICER,
        "4309",
        ("4309", "tax"),
        CITY_HALL,
        is_designated=True,
        phone="13907370112",
        note="市税务局“一件事”专人",
    ),
    StaffSpec(
        "officer_police",
        "李卫东",
        Role.OFFICER,
        "4309",
        ("4309", "police"),
        CITY_HALL,
        is_designated=True,
        phone="13907370113",
        note="市公安局（治安）“一件事”专人",
    ),
    StaffSpec(
        "officer_hrss",
        "邓雪梅",
        Role.OFFICER,
        "4309",
        ("4309", "hrss"),
        CITY_HALL,
        is_designated=True,
        phone="13907370114",
        note="市人社局“一件事”专人",
    ),
    StaffSpec(
        "officer_natres",
        "胡国平",
        Role.OFFICER,
        "4309",
        ("4309", "natural_resources"),
        CITY_HALL,
        is_designated=True,
        phone="13907370115",
        note="市不动产登记“一件事”专人",
    ),
    StaffSpec(
        "officer_heshan_hrss",
        "罗小兰",
        Role.OFFICER,
        "430903",
        ("430903", "hrss"),
        "赫山区政务服务中心",
        is_designated=True,
        phone="13907370116",
        note="赫山区人社局专人（乡镇后台审批）",
    ),
    StaffSpec(
        "officer_housing",
        "彭立新",
        Role.OFFICER,
        "4309",
        ("4309", "housing"),
        CITY_HALL,
        is_designated=True,
        phone="13907370117",
        note="市住建局（存量房网签备案）专人",
    ),
    StaffSpec(
        "officer_health",
        "孙丽娟",
        Role.OFFICER,
        "4309",
        ("4309", "health"),
        CITY_HALL,
        is_designated=True,
        phone="13907370118",
        note="市卫健委（优待证、生育登记、婚育证明）专人",
    ),
    StaffSpec(
        "officer_civil",
        "何文斌",
        Role.OFFICER,
        "4309",
        ("4309", "civil"),
        CITY_HALL,
        is_designated=True,
        phone="13907370119",
        note="市民政局（高龄津贴）专人",
    ),
    StaffSpec(
        "chief_market",
        "杨帆",
        Role.CHIEF_APPROVER,
        "4309",
        ("4309", "market"),
        CITY_HALL,
        phone="13907370121",
        note="市市场监管局首席审批员（“1+X”进驻）",
    ),
    StaffSpec(
        "supervisor",
        "谢明",
        Role.SUPERVISOR,
        "4309",
        phone="13907370131",
        note="市电子监察",
    ),
    StaffSpec(
        "catalog_admin",
        "汤慧",
        Role.CATALOG_ADMIN,
        "4309",
        phone="13907370141",
        note="市事项管理员（管理后台）",
    ),
    StaffSpec(
        "agent",
        "龚建军",
        Role.AGENT,
        "430903101206",
        hall="芙蓉村便民服务站",
        phone="13907370151",
        note="芙蓉村帮代办员",
    ),
]

PERSONS: list[PersonSpec] = [
    PersonSpec(
        "liming",
        "李明",
        resident_id("430903", "19860412", "031"),
        "13807371001",
        "430903101206",
        "益阳市赫山区泉交河镇芙蓉村三组",
        "失业登记、社保卡",
    ),
    PersonSpec(
        "wangfang",
        "王芳",
        resident_id("430902", "19930826", "044"),
        "13807371002",
        "430902101201",
        "益阳市资阳区长春镇长春村五组",
        "生育服务登记",
    ),
    PersonSpec(
        "zhangguiying",
        "张桂英",
        resident_id("430922", "19560107", "028"),
        "13807371003",
        "430922100205",
        "桃江县桃花江镇獭溪桥村二组",
        "老年优待证",
    ),
    PersonSpec(
        "zhaolei",
        "赵磊",
        resident_id("430903", "19900315", "057"),
        "13807371004",
        "430903004003",
        "益阳市赫山区会龙山街道梓山湖社区",
        "开办企业、不动产登记",
    ),
]

ENTERPRISES: list[EnterpriseSpec] = [
    EnterpriseSpec(
        "enterprise",
        "益阳市资江食品有限公司",
        enterprise_uscc("430903", "MA4Q8K2B7"),
        "赵磊",
        resident_id("430903", "19900315", "057"),
        "13807372001",
        "430903001001",
        "益阳市赫山区康富路88号",
        "复工复产政策兑现",
    ),
]
