"""The case engine's JSON API: applying, window and department actions, and reads.

One POST per action, never a PATCH of a state. Errors are problem+json (``config/api.py``):
401 not logged in, 403 the caller's role may not do this, 404 not in the caller's scope
(or not there at all: the two are not told apart), 409 an illegal transition or a lost
race, 422 bad input naming the field.
"""

from __future__ import annotations

from ninja import Router

from onestop.cases.api.agents import router as agents_router
from onestop.cases.api.cases import router as cases_router
from onestop.cases.api.drafts import router as drafts_router
from onestop.cases.api.tasks import router as tasks_router

router = Router()
router.add_router("", cases_router)
router.add_router("", tasks_router)
router.add_router("", drafts_router)
router.add_router("", agents_router)

__all__ = ["router"]
