"""An independent check of a provincial interface record: every field's type, length and
code range (what the test platform server refuses)."""

from __future__ import annotations

import re
from typing import Any

INTS = {
    "subMatter": {1, 2},
    "proStatus": {1, 2, 3},
    "pf": set(range(1, 9)),
    "userProp": {1, 2},
    "satisfaction": {1, 2, 3, 4, 5},
    "assessNumber": {1, 2},
    "appStatus": {1, 2, 3},
    "promiseTime": {1, 2},
}
MAX_LEN = {
    "areaName": 64,
    "deptCode": 18,
    "taskCode": 32,
    "taskHandleItem": 64,
    "taskName": 200,
    "projectNo": 50,
    "proDepartCode": 18,
    "proDepart": 128,
    "proManager": 64,
    "certKeyGOV": 18,
    "userName": 128,
    "evalDetail": 200,
    "writingEvaluation": 500,
    "reformContent": 2000,
}
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def problems(record: dict[str, Any]) -> list[str]:
    found = []
    for name, allowed in INTS.items():
        value = record.get(name)
        if type(value) is not int or value not in allowed:
            found.append(f"{name}={value!r}")
    for name, size in MAX_LEN.items():
        value = record.get(name)
        if not isinstance(value, str) or len(value) > size:
            found.append(f"{name} length")
    if not re.fullmatch(r"\d{12}", str(record.get("areaCode", ""))):
        found.append("areaCode")
    if not TIME.match(str(record.get("assessTime", ""))):
        found.append("assessTime")
    if record.get("acceptDate") and not TIME.match(record["acceptDate"]):
        found.append("acceptDate")
    if not re.fullmatch(r"\d{3}", str(record.get("dataSource", ""))):
        found.append("dataSource")
    detail = record.get("evalDetail", "")
    if detail and not re.fullmatch(r"\d{3}(,\d{3})*", detail):
        found.append("evalDetail")
    if record.get("reformDate") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["reformDate"]):
        found.append("reformDate")
    if not record.get("projectNo"):
        found.append("projectNo empty")
    return found
