"""Cases (办件): one application, routed to department back offices on working-day deadlines.

Where things are
----------------
- ``states``     enums and the two transition tables (case, task); ``transition()``.
- ``models``     Case, CaseMaterial, ItemTask, Pause, Extension, VerificationTask, CaseEvent,
                 CaseNumberCounter.
- ``services``   every write (one transaction each, case row locked, event recorded).
- ``selectors``  every read, with the viewer's scope (``case_get_for`` raises NotFound).
- ``events``     the append-only, hash-chained log; ``chain_verify``.
- ``deadlines``  ``due_dates()`` recomputes every due date from the events; ``traffic_light``.
- ``numbering``  ``{12-digit region code}-{YYYYMMDD}-{seq:05d}`` from a locked counter row.
- commands       ``onestop audit verify [--case N]``; ``onestop cases sweep|refresh-dues``.

Case states
-----------
::

    (remote: online, mobile, kiosk)  draft ─▶ pre_review ─▶ submitted
    (window, village, phone)         draft ─▶ submitted
    pre_review  ─▶ submitted | correction_requested | rejected | withdrawn
    submitted   ─▶ accepted | correction_requested | rejected | withdrawn
    correction_requested ─▶ submitted (supplemented) | rejected | withdrawn
    accepted    ─▶ in_progress            (same transaction: acceptance fans out the tasks)
    in_progress ─▶ completed | submitted (a task returned to the window) | withdrawn | terminated
    completed   ─▶ delivered | terminated (容缺 material not supplied in time)
    delivered, rejected, withdrawn, terminated: final

Task states: pending ─▶ ready ─▶ claimed ─▶ approved | denied, claimed ⇄ paused (特别程序),
claimed ─▶ ready (reassigned), pending ─▶ not_applicable (a prerequisite denied),
ready/claimed/pending ─▶ returned (back to the window), any open ─▶ cancelled.
"""
