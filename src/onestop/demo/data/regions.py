"""Regions, departments, halls and windows of the Yiyang demo."""

from __future__ import annotations

from dataclasses import dataclass, field

from onestop.core.identifiers import uscc_check_char
from onestop.regions.models import HallKind, RegionLevel, WindowKind


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    level: RegionLevel
    is_pilot: bool = False

    @property
    def parent_code(self) -> str | None:
        lengths = {2: None, 4: 2, 6: 4, 9: 6, 12: 9}
        cut = lengths[len(self.code)]
        return None if cut is None else self.code[:cut]


P, C, X, T, V = (
    RegionLevel.PROVINCE,
    RegionLevel.CITY,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
    RegionLevel.VILLAGE,
)

# Parents come before children. 大通湖区 is a management district without a statutory
# division code, so it is left out.
REGIONS: list[RegionSpec] = [
    RegionSpec("43", "湖南省", P),
    RegionSpec("4309", "益阳市", C),
    RegionSpec("430902", "资阳区", X),
    RegionSpec("430903", "赫山区", X),
    RegionSpec("430921", "南县", X),
    RegionSpec("430922", "桃江县", X),
    RegionSpec("430923", "安化县", X),
    RegionSpec("430981", "沅江市", X),
    # 资阳区
    RegionSpec("430902001", "汽车路街道", T),
    RegionSpec("430902101", "长春镇", T),
    RegionSpec("430902103", "新桥河镇", T),
    RegionSpec("430902101201", "长春村", V, is_pilot=True),
    RegionSpec("430902103203", "羞山村", V, is_pilot=True),
    RegionSpec("430902001002", "马良社区", V),
    # 赫山区
    RegionSpec("430903001", "赫山街道", T),
    RegionSpec("430903004", "会龙山街道", T),
    RegionSpec("430903101", "泉交河镇", T),
    RegionSpec("430903103", "兰溪镇", T),
    RegionSpec("430903004003", "梓山湖社区", V, is_pilot=True),
    RegionSpec("430903101206", "芙蓉村", V, is_pilot=True),
    RegionSpec("430903103211", "兰溪村", V, is_pilot=True),
    RegionSpec("430903001001", "康富路社区", V),
    # 南县
    RegionSpec("430921100", "南洲镇", T),
    # 桃江县
    RegionSpec("430922100", "桃花江镇", T),
    RegionSpec("430922101", "灰山港镇", T),
    RegionSpec("430922104", "武潭镇", T),
    RegionSpec("430922100205", "獭溪桥村", V, is_pilot=True),
    RegionSpec("430922101208", "刘家湾村", V, is_pilot=True),
    RegionSpec("430922104202", "沾溪村", V, is_pilot=True),
    # 安化县
    RegionSpec("430923100", "东坪镇", T),
    # 沅江市
    RegionSpec("430981001", "琼湖街道", T),
]

CITY_CODE = "4309"
COUNTY_CODES = ["430902", "430903", "430921", "430922", "430923", "430981"]


# --- departments ---------------------------------------------------------------------

# Weights of the GB 11714 organisation code check character (ninth character).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(serial: int) -> str:
    """A 9-character 组织机构代码 (GB 11714) with its check character."""
    body = f"0063{serial:04d}"
    check = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def government_uscc(region_code: str, serial: int, *, body_type: str = "11") -> str:
    """A 统一社会信用代码 for a public body: ``11`` (机关) + division + org code + check."""
    first17 = f"{body_type}{region_code.ljust(6, '0')}{_org_code(serial)}"
    return first17 + uscc_check_char(first17)


@dataclass(frozen=True)
class DepartmentSpec:
    region_code: str
    kind: str
    name: str
    short_name: str
    serial: int
    phone: str

    @property
    def uscc(self) -> str:
        return government_uscc(self.region_code, self.serial)


_CITY_DEPARTMENTS = [
    ("approval", "益阳市行政审批服务局", "市审批局", "0737-4221001"),
    ("market", "益阳市市场监督管理局", "市市场监管局", "0737-4223315"),
    ("tax", "国家税务总局益阳市税务局", "市税务局", "0737-12366"),
    ("police", "益阳市公安局", "市公安局", "0737-4232110"),
    ("hrss", "益阳市人力资源和社会保障局", "市人社局", "0737-12333"),
    ("civil", "益阳市民政局", "市民政局", "0737-4224312"),
    ("health", "益阳市卫生健康委员会", "市卫健委", "0737-4223651"),
    ("housing", "益阳市住房和城乡建设局", "市住建局", "0737-4222763"),
    ("natural_resources", "益阳市自然资源和规划局", "市自然资源规划局", "0737-4225208"),
    ("medical_insurance", "益阳市医疗保障局", "市医保局", "0737-4226033"),
]

# County-level departments; ``{c}`` is the county's name, ``{p}`` its name with the city.
_COUNTY_DEPARTMENTS = [
    ("market", "{p}市场监督管理局", "{c}市场监管局"),
    ("tax", "国家税务总局{p}税务局", "{c}税务局"),
    ("police", "{police}", "{c}公安"),
    ("hrss", "{p}人力资源和社会保障局", "{c}人社局"),
    ("civil", "{p}民政局", "{c}民政局"),
    ("health", "{p}卫生健康局", "{c}卫健局"),
    ("natural_resources", "{p}自然资源局", "{c}自然资源局"),
    ("medical_insurance", "{p}医疗保障局", "{c}医保局"),
]
# county code → (name, name as departments carry it, police body, phone prefix)
_COUNTIES_WITH_DEPARTMENTS = {
    "430902": ("资阳区", "益阳市资阳区", "益阳市公安局资阳分局", "0737-4401"),
    "430903": ("赫山区", "益阳市赫山区", "益阳市公安局赫山分局", "0737-4302"),
    "430922": ("桃江县", "桃江县", "桃江县公安局", "0737-8823"),
}


def _departments() -> list[DepartmentSpec]:
    specs = [
        DepartmentSpec(CITY_CODE, kind, name, short, serial, phone)
        for serial, (kind, name, short, phone) in enumerate(_CITY_DEPARTMENTS, start=1)
    ]
    for county_code, (county, prefixed, police, phone_prefix) in _COUNTIES_WITH_DEPARTMENTS.items():
        for serial, (kind, name, short) in enumerate(_COUNTY_DEPARTMENTS, start=1):
            specs.append(
                DepartmentSpec(
                    county_code,
                    kind,
                    name.format(p=prefixed, police=police),
                    short.format(c=county),
                    serial,
                    f"{phone_prefix}{serial:03d}",
                )
            )
    return specs


DEPARTMENTS: list[DepartmentSpec] = _departments()


# --- halls and windows ---------------------------------------------------------------

WORKDAY_HOURS = "工作日 上午 8:30—12:00，下午 14:30—17:30（夏季）/ 14:00—17:00（冬季）"


@dataclass(frozen=True)
class WindowSpec:
    number: str
    name: str
    kind: WindowKind = WindowKind.COMPREHENSIVE
    department_kind: str = ""


@dataclass(frozen=True)
class HallSpec:
    region_code: str
    name: str
    kind: HallKind
    address: str
    phone: str
    windows: list[WindowSpec] = field(default_factory=list)
    opening_hours: str = WORKDAY_HOURS


_CITY_WINDOWS = [
    WindowSpec("1", "综合受理"),
    WindowSpec("2", "综合受理"),
    WindowSpec("3", "综合受理"),
    WindowSpec("4", "综合受理"),
    WindowSpec("5", "统一出件", WindowKind.HANDOUT),
    WindowSpec("6", "帮代办", WindowKind.HELP_DESK),
    WindowSpec("7", "政策兑现绿色通道", WindowKind.GREEN_CHANNEL),
    WindowSpec("8", "市场监管首席审批", WindowKind.SPECIALIZED, "market"),
    WindowSpec("9", "税务", WindowKind.SPECIALIZED, "tax"),
    WindowSpec("10", "不动产登记", WindowKind.SPECIALIZED, "natural_resources"),
]
_COUNTY_WINDOWS = [
    WindowSpec("1", "综合受理"),
    WindowSpec("2", "综合受理（跨域通办）"),
    WindowSpec("3", "统一出件", WindowKind.HANDOUT),
    WindowSpec("4", "帮代办", WindowKind.HELP_DESK),
    WindowSpec("5", "政策兑现绿色通道", WindowKind.GREEN_CHANNEL),
]
_LOCAL_WINDOWS = [WindowSpec("1", "综合受理（跨域通办）")]


def _halls() -> list[HallSpec]:
    halls = [
        HallSpec(
            CITY_CODE,
            "益阳市政务服务中心",
            HallKind.GOVERNMENT_SERVICE_HALL,
            "益阳市赫山区康富北路市民之家",
            "0737-4221000",
            _CITY_WINDOWS,
        )
    ]
    names = {r.code: r.name for r in REGIONS}
    halls.extend(
        HallSpec(
            code,
            f"{names[code]}政务服务中心",
            HallKind.GOVERNMENT_SERVICE_HALL,
            f"{names[code]}政务服务中心大楼一楼",
            f"0737-{code[-3:]}8000",
            _COUNTY_WINDOWS,
        )
        for code in COUNTY_CODES
    )
    for region in REGIONS:
        if region.level == RegionLevel.TOWNSHIP:
            halls.append(
                HallSpec(
                    region.code,
                    f"{region.name}党群和政务服务中心",
                    HallKind.CONVENIENCE_CENTRE,
                    f"{names[region.code[:6]]}{region.name}"
                    + ("办事处一楼" if region.name.endswith("街道") else "人民政府一楼"),
                    f"0737-6{region.code[4:6]}{region.code[-3:]}0",
                    _LOCAL_WINDOWS,
                )
            )
        elif region.level == RegionLevel.VILLAGE and region.is_pilot:
            halls.append(
                HallSpec(
                    region.code,
                    f"{region.name}便民服务站",
                    HallKind.VILLAGE_STATION,
                    f"{names[region.code[:9]]}{region.name}党群服务中心",
                    "",
                    _LOCAL_WINDOWS,
                    opening_hours="工作日 8:30—17:30；农忙时节可电话预约上门服务",
                )
            )
    return halls


HALLS: list[HallSpec] = _halls()
