"""Applicant portal (一网通办): home and search, package guide, apply online, my cases.

Views stay thin: reads through the catalogue/cases/accounts selectors, writes through the
case services; a ``DomainError`` becomes a message next to the field it names.
"""

from onestop.portal.views.agents import agent_revoke, my_agents
from onestop.portal.views.apply import apply, item_apply
from onestop.portal.views.cases import (
    draft_discard,
    my_case,
    my_cases,
    my_data_reads,
    supplement,
    supply_tolerated,
    withdraw,
)
from onestop.portal.views.catalogue import guide_pdf, home, item, package, search
from onestop.portal.views.licences import my_licences

__all__ = [
    "agent_revoke",
    "apply",
    "draft_discard",
    "guide_pdf",
    "home",
    "item",
    "item_apply",
    "my_agents",
    "my_case",
    "my_cases",
    "my_data_reads",
    "my_licences",
    "package",
    "search",
    "supplement",
    "supply_tolerated",
    "withdraw",
]
