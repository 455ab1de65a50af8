"""The e-licence identifier (电子证照标识, GB/T 36904 as used by the national system).

``1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>``:

- ``1.2.156.3005.2`` the e-licence root code;
- ``type`` 证照类型代码: the 18-character USCC of the body that owns the licence type and a
  3-digit sequence (``11100000000013338W011``);
- ``issuer`` 颁发机构代码: the issuing department's 18-character USCC (GB 32100, checked);
- ``serial`` 流水号: 1–32 digits or capital letters, unique per type and issuer;
- ``version`` 版本号: 3 digits (``001``; a changed certificate gets the next version);
- ``check`` 校验位: ISO/IEC 7064 MOD 37,36 (hybrid) over type, issuer, serial and version
  concatenated without the dots — the reading under which DOMAIN.md §7.3's example
  ``…20230000403.001.U`` checks.

``licence_id_parse`` raises ``InvalidIdentifier`` with a reason and a code; ``malformed`` is
true when the text is not shaped like an identifier at all (the ``check-id`` command exits
2 for those, 1 for a well-formed identifier whose check character or codes are wrong).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from onestop.core.identifiers import validate_uscc

ROOT = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_MODULUS = 36

_TYPE = re.compile(r"[0-9A-Z]{18}[0-9]{3}")
_SERIAL = re.compile(r"[0-9A-Z]{1,32}")
_VERSION = re.compile(r"[0-9]{3}")


class InvalidIdentifier(ValueError):
    """Why a text is not a valid e-licence identifier."""

    def __init__(self, reason: str, *, code: str, malformed: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.malformed = malformed


def check_char(body: str) -> str:
    """ISO/IEC 7064 MOD 37,36 check character of ``body`` (digits and capital letters)."""
    p = _MODULUS
    for ch in body:
        p = (p + _VALUE[ch]) % _MODULUS or _MODULUS
        p = (p * 2) % (_MODULUS + 1)
    return ALPHABET[(_MODULUS + 1 - p) % _MODULUS]


@dataclass(frozen=True)
class LicenceId:
    type_code: str
    issuer: str
    serial: str
    version: str
    check: str

    @property
    def body(self) -> str:
        return f"{self.type_code}{self.issuer}{self.serial}{self.version}"

    def __str__(self) -> str:
        return ".".join([ROOT, self.type_code, self.issuer, self.serial, self.version, self.check])


def _parts_check(type_code: str, issuer: str, serial: str, version: str) -> None:
    if not _TYPE.fullmatch(type_code):
        raise InvalidIdentifier(
            _("证照类型代码应为18位统一社会信用代码加3位数字：%(v)s") % {"v": type_code},
            code="type_format",
            malformed=True,
        )
    if not re.fullmatch(r"[0-9A-Z]{18}", issuer):
        raise InvalidIdentifier(
            _("颁发机构代码应为18位统一社会信用代码：%(v)s") % {"v": issuer},
            code="issuer_format",
            malformed=True,
        )
    if not _SERIAL.fullmatch(serial):
        raise InvalidIdentifier(
            _("流水号应为1–32位数字或大写字母：%(v)s") % {"v": serial},
            code="serial_format",
            malformed=True,
        )
    if not _VERSION.fullmatch(version):
        raise InvalidIdentifier(
            _("版本号应为3位数字：%(v)s") % {"v": version}, code="version_format", malformed=True
        )
    for what, code in ((type_code[:18], "type_uscc"), (issuer, "issuer_uscc")):
        try:
            validate_uscc(what)
        except ValidationError as exc:
            label = _("证照类型代码") if code == "type_uscc" else _("颁发机构代码")
            raise InvalidIdentifier(
                f"{label}: {' '.join(exc.messages)}", code=code, malformed=False
            ) from None


def licence_id_build(*, type_code: str, issuer: str, serial: str, version: str = "001") -> str:
    """The identifier of these parts, with its check character."""
    _parts_check(type_code, issuer, serial, version)
    body = f"{type_code}{issuer}{serial}{version}"
    return str(LicenceId(type_code, issuer, serial, version, check_char(body)))


def licence_id_parse(value: str) -> LicenceId:
    """The parts of a valid identifier; ``InvalidIdentifier`` naming the first fault."""
    text = value.strip()
    if not text.startswith(ROOT + "."):
        raise InvalidIdentifier(
            _("电子证照标识应以根代码 %(root)s 开头。") % {"root": ROOT},
            code="root",
            malformed=True,
        )
    parts = text[len(ROOT) + 1 :].split(".")
    if len(parts) != 5:
        raise InvalidIdentifier(
            _("根代码之后应有5段（类型.颁发机构.流水号.版本号.校验位），实为%(n)d段。")
            % {"n": len(parts)},
            code="parts",
            malformed=True,
        )
    type_code, issuer, serial, version, check = parts
    _parts_check(type_code, issuer, serial, version)
    if len(check) != 1 or check not in _VALUE:
        raise InvalidIdentifier(
            _("校验位应为1位数字或大写字母：%(v)s") % {"v": check},
            code="check_format",
            malformed=True,
        )
    found = LicenceId(type_code, issuer, serial, version, check)
    expected = check_char(found.body)
    if check != expected:
        raise InvalidIdentifier(
            _("校验位错误（按 ISO/IEC 7064 MOD 37,36 应为 %(c)s），标识有误或被篡改。")
            % {"c": expected},
            code="check_char",
            malformed=False,
        )
    return found


def licence_id_validate(value: str) -> None:
    """Django validator: ``ValidationError`` with the reason for an invalid identifier."""
    try:
        licence_id_parse(value)
    except InvalidIdentifier as exc:
        raise ValidationError(exc.reason, code=exc.code) from None
