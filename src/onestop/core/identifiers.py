"""Validators for Chinese identifiers. Each refusal names the rule that failed.

They sit in the kernel because two apps hold these identifiers: applicants (``accounts``)
and departments (``regions``, the credit code).

- 居民身份证号码, GB 11643—1999: 6-digit address code, 8-digit birth date, 3-digit sequence,
  and an ISO 7064 MOD 11-2 check digit (0–9 or X).
- 统一社会信用代码, GB 32100—2015: 18 characters from a 31-character alphabet (no I, O, Z,
  S, V); characters 3–8 are the registering authority's division code; the 18th is a
  MOD 31 check character.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onestop.core import clock

# GB/T 2260 province-level codes (first two digits of an address code).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def resident_id_check_digit(first17: str) -> str:
    """The GB 11643 check digit for the first 17 digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_resident_id(value: str, *, today: dt.date | None = None) -> None:
    """Refuse anything that is not a well-formed 18-digit 居民身份证号码."""
    if len(value) != 18:
        raise ValidationError(
            _("身份证号码应为18位，当前为%(n)d位。") % {"n": len(value)}, code="id_length"
        )
    if (
        not value.isascii()
        or not value[:17].isdigit()
        or not (value[17].isdigit() or value[17] == "X")
    ):
        raise ValidationError(_("身份证号码前17位须为数字，末位为数字或大写X。"), code="id_charset")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("身份证号码前两位“%(code)s”不是有效的省级行政区划代码。") % {"code": value[:2]},
            code="id_region",
        )
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码第7–14位“%(d)s”不是有效的出生日期。") % {"d": value[6:14]},
            code="id_birth_date",
        ) from None
    if born.year < 1900 or born > (today or clock.today()):
        raise ValidationError(
            _("身份证号码中的出生日期 %(d)s 不在合理范围内。") % {"d": born.isoformat()},
            code="id_birth_date",
        )
    expected = resident_id_check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("身份证号码校验位错误（按 GB 11643 应为 %(c)s），请核对号码。") % {"c": expected},
            code="id_check_digit",
        )


# GB 32100—2015 (with its 2018 amendment): position 1 is the registration authority, position
# 2 the kind of organisation that authority registers. "Y 其他" names no kinds of its own.
USCC_AUTHORITY_KINDS: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办管理的群众团体, 其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商（市场监管）: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业农村: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "0123456789",  # 其他
}
# Positions 3–8: the registering authority's 行政区划 — a province (GB/T 2260 first two digits)
# or 10 for the central authorities.
USCC_REGION_PREFIXES = frozenset(
    "10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 "
    "63 64 65 71 81 82".split()
)


def validate_uscc(value: str) -> None:
    """Refuse anything that is not a well-formed 统一社会信用代码."""
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(value)}, code="uscc_length"
        )
    bad = sorted({ch for ch in value if ch not in _USCC_VALUE})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V 和小写字母）。")
            % {"chars": "、".join(bad)},
            code="uscc_charset",
        )
    kinds = USCC_AUTHORITY_KINDS.get(value[0])
    if kinds is None:
        raise ValidationError(
            _("统一社会信用代码第1位“%(c)s”不是登记管理部门代码（GB 32100：1、5、9、Y 等）。")
            % {"c": value[0]},
            code="uscc_authority",
        )
    if value[1] not in kinds:
        raise ValidationError(
            _("统一社会信用代码第2位“%(c)s”不是该登记管理部门的机构类别代码（可为 %(k)s）。")
            % {"c": value[1], "k": "、".join(kinds)},
            code="uscc_kind",
        )
    if not value[2:8].isdigit() or value[2:4] not in USCC_REGION_PREFIXES:
        raise ValidationError(
            _("统一社会信用代码第3–8位应为登记管理机关行政区划码（6位数字，以省级代码开头）。"),
            code="uscc_region",
        )
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验码错误（按 GB 32100 应为 %(c)s），请核对代码。")
            % {"c": expected},
            code="uscc_check_char",
        )


def validate_mobile(value: str) -> None:
    """Refuse anything that is not an 11-digit mainland mobile number."""
    if not _MOBILE.fullmatch(value):
        raise ValidationError(_("手机号码应为以1开头的11位数字。"), code="mobile")


def normalize_identifier(value: str) -> str:
    """ID numbers and credit codes as typed: spaces dropped, letters upper-cased (x → X)."""
    return "".join(value.split()).upper()


def normalize_phone(value: str) -> str:
    """Phones as typed: spaces and hyphens dropped, a leading +86 / 0086 country code too."""
    digits = "".join(value.split()).replace("-", "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    return digits
