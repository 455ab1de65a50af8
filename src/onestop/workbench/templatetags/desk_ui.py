"""The desk navigation, from the signed-in staff member's permissions (``access.desk_nav``)."""

from __future__ import annotations

from typing import Any

from django import template

from onestop.workbench.access import NavLink, desk_nav

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_links(context: Any) -> list[NavLink]:
    request = context.get("request")
    return desk_nav(getattr(request, "staff", None))
