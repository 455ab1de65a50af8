"""Who may call what: one row per endpoint, one column per role (bearer-token logins).

403: the role may never do this. 404: the case (or task) is outside the caller's scope, told
apart from "does not exist" by nobody. 401: not logged in. The catalogue is public.
"""

from __future__ import annotations

import pytest

from tests.cases.api.conftest import ROLES
from tests.cases.api.scenarios import SCENARIOS, send

#                      owner other clerk c_out offcr o_oth chief super admin agent  anon
WINDOW = "              403   403   200   404   403   403   403   403   403   403   401"
FOR_APPLICANT = "       200   404   200   404   403   403   403   403   403   404   401"
HOLDER_ONLY = "         403   403   403   403   200   404   403   403   403   403   401"
DEPARTMENT = "          403   403   403   403   200   404   200   403   403   403   401"
PUBLIC = "              200   200   200   200   200   200   200   200   200   200   200"
AUTHOR_ONLY = "         200   404   403   403   403   403   403   403   403   403   401"

TABLE = {
    ("post", "/api/cases"): "201 201 403 403 403 403 403 403 403 403 401",
    ("post", "/api/cases/intake"): "403 403 201 403 403 403 403 403 403 201 401",
    ("get", "/api/cases/mine"): "200 200 403 403 403 403 403 403 403 403 401",
    ("get", "/api/cases/{case_id}"): "200 404 200 404 200 404 200 200 404 404 401",
    ("get", "/api/cases/by-number/{number}"): "200 404 200 404 200 404 200 200 404 404 401",
    # Staff search and the change feed: any member of staff, over their own scope.
    ("get", "/api/cases"): "403 403 200 200 200 200 200 200 200 200 401",
    ("get", "/api/events"): "403 403 200 200 200 200 200 200 200 200 401",
    ("get", "/api/tasks/{task_id}"): "200 404 200 404 200 404 200 200 404 404 401",
    ("post", "/api/cases/{case_id}/pre-review"): WINDOW,
    ("post", "/api/cases/{case_id}/accept"): WINDOW,
    ("post", "/api/cases/{case_id}/receiving-check"): WINDOW,
    ("post", "/api/cases/{case_id}/request-correction"): WINDOW,
    ("post", "/api/cases/{case_id}/reject"): WINDOW,
    ("post", "/api/cases/{case_id}/hand-out"): WINDOW,
    ("post", "/api/cases/{case_id}/withdraw"): FOR_APPLICANT,
    ("post", "/api/cases/{case_id}/supplement"): FOR_APPLICANT,
    ("post", "/api/cases/{case_id}/supply-tolerated"): FOR_APPLICANT,
    ("post", "/api/cases/{case_id}/materials/{key}"): FOR_APPLICANT,
    ("get", "/api/window/queue"): "403 403 200 200 403 403 403 403 403 403 401",
    ("get", "/api/window/handout"): "403 403 200 200 403 403 403 403 403 403 401",
    ("get", "/api/inbox"): "403 403 403 403 200 200 200 403 403 403 401",
    ("post", "/api/tasks/{task_id}/claim"): DEPARTMENT,
    ("post", "/api/tasks/{task_id}/reassign"): DEPARTMENT,
    ("post", "/api/tasks/{task_id}/return"): HOLDER_ONLY,
    ("post", "/api/tasks/{task_id}/approve"): HOLDER_ONLY,
    ("post", "/api/tasks/{task_id}/deny"): HOLDER_ONLY,
    ("post", "/api/tasks/{task_id}/pause"): HOLDER_ONLY,
    ("post", "/api/tasks/{task_id}/resume"): DEPARTMENT,
    ("post", "/api/tasks/{task_id}/extensions"): "403 403 403 403 201 404 403 403 403 403 401",
    ("post", "/api/extensions/{extension_id}/approve"): (
        "403 403 403 403 403 403 200 403 403 403 401"
    ),
    ("get", "/api/extensions/pending"): "403 403 403 403 403 403 200 403 403 403 401",
    ("get", "/api/verifications"): "403 403 403 403 200 200 200 403 403 403 401",
    ("post", "/api/verifications/{verification_id}/record"): DEPARTMENT,
    ("get", "/api/catalog/packages"): PUBLIC,
    ("get", "/api/catalog/packages/{code}"): PUBLIC,
    ("post", "/api/catalog/packages/{code}/plan"): PUBLIC,
    ("get", "/api/drafts"): "200 200 403 403 403 403 403 403 403 403 401",
    ("post", "/api/drafts"): "201 201 403 403 403 403 403 403 403 403 401",
    ("get", "/api/drafts/{draft_id}"): AUTHOR_ONLY,
    ("put", "/api/drafts/{draft_id}"): AUTHOR_ONLY,
    ("delete", "/api/drafts/{draft_id}"): "204 404 403 403 403 403 403 403 403 403 401",
    # 邮政双向专递: the parcels are seen as the case is; only a window clerk of the 收件地
    # posts a result; only the applicant chooses how it reaches them.
    ("get", "/api/cases/{case_id}/shipments"): "200 404 200 404 200 404 200 200 404 404 401",
    # (an applicant may post their own materials, so another's case is 404, not 403)
    ("post", "/api/cases/{case_id}/shipments"): "403 404 201 404 403 403 403 403 403 403 401",
    ("post", "/api/cases/{case_id}/delivery-choice"): (
        "200 404 403 403 403 403 403 403 403 403 401"
    ),
}

CASES = [
    pytest.param(endpoint, role, int(status), id=f"{endpoint[0]} {endpoint[1]} as {role}")
    for endpoint, row in TABLE.items()
    for role, status in zip(ROLES, row.split(), strict=True)
]


def test_the_table_covers_every_scenario():
    assert set(TABLE) == set(SCENARIOS)


@pytest.mark.parametrize(("endpoint", "role", "status"), CASES)
def test_permission(setup, people, endpoint, role, status):
    request = SCENARIOS[endpoint](setup, people)
    response = send(people.api(role), request)
    assert response.status_code == status, response.content.decode()
    if status >= 400:
        assert response["Content-Type"] == "application/problem+json"
