"""我的代办授权: the applicant's authorisations of 帮代办员 — see, grant online, revoke.

The rules (who may revoke, the period, the agent found by the code they gave) are the case
services'; this page parses the form and shows the service's refusal at its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop.cases.actions import authorisation_may_revoke, authorisation_status
from onestop.cases.selectors import agent_cases_for_applicant, authorisations_of_applicant
from onestop.cases.services import authorisation_grant_online, authorisation_revoke
from onestop.catalog.selectors import package_versions_published
from onestop.core import clock
from onestop.core.errors import DomainError
from onestop.portal.forms import AgentGrantForm
from onestop.portal.views._common import applicant_for


def _package_choices() -> list[tuple[str, str]]:
    return [(v.package.code, v.name) for v in package_versions_published()]


@login_required
def my_agents(request: HttpRequest) -> HttpResponse:
    applicant = applicant_for(request)
    choices = _package_choices()
    form = AgentGrantForm(request.POST or None, package_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        versions = {v.package.code: v for v in package_versions_published()}
        until = data["valid_until"]
        try:
            granted = authorisation_grant_online(
                applicant=applicant,
                agent_code=data["agent_code"],
                all_items=data["all_items"],
                packages=[versions[c].package for c in data["packages"] if c in versions],
                valid_until=(
                    dt.datetime.combine(until, dt.time.max, tzinfo=clock.SHANGHAI)
                    if until
                    else None
                ),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request, _("已授权帮代办员%(name)s为您代办。") % {"name": granted.agent.name}
            )
            return redirect("portal:my_agents")
    rows: list[dict[str, Any]] = [
        {
            "a": authorisation,
            "status": authorisation_status(authorisation),
            "may_revoke": authorisation_may_revoke(authorisation, applicant),
            "packages": [p.name for p in authorisation.packages.all()],
            "items": [i.name for i in authorisation.items.all()],
        }
        for authorisation in authorisations_of_applicant(applicant)
    ]
    return render(
        request,
        "portal/agents.html",
        {"rows": rows, "form": form, "cases": list(agent_cases_for_applicant(applicant)[:50])},
    )


@login_required
@require_POST
def agent_revoke(request: HttpRequest, authorisation_id: int) -> HttpResponse:
    applicant = applicant_for(request)
    if not authorisations_of_applicant(applicant).filter(pk=authorisation_id).exists():
        raise Http404(_("代办授权不存在。"))
    try:
        authorisation_revoke(
            authorisation_id=authorisation_id,
            by=applicant,
            reason=request.POST.get("reason", "")[:200],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("代办授权已撤销，帮代办员不能再为您办理。"))
    return redirect("portal:my_agents")
