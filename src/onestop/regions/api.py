from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from onestop.regions import selectors

router = Router(tags=["行政区划"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


@router.get("/", response=list[RegionOut], summary="行政区划（可按上级代码取其下全部）")
def region_list(request: HttpRequest, under: str = "") -> list[RegionOut]:
    return [
        RegionOut(
            code=r.code, name=r.name, level=r.level, parent_code=r.parent.code if r.parent else None
        )
        for r in selectors.region_list_under(code=under)
    ]
