from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "onestop.certificates"
    verbose_name = _("电子证照与电子印章")

    def ready(self) -> None:
        from django.core import checks

        from onestop.cases import hooks, results
        from onestop.cases.states import EventKind
        from onestop.certificates.checks import signer_setting_check
        from onestop.certificates.results import case_results_for
        from onestop.certificates.services import results_issue_for_case

        # A decided task gets its result once the decision has committed; the sweep
        # ``onestop certificates issue-missing`` catches up what a failed handler left.
        hooks.on_case_events(
            EventKind.TASK_APPROVED,
            EventKind.TASK_DENIED,
            handler=results_issue_for_case,
            deferred=True,  # building and sealing a PDF: in a worker when there is one
        )
        # The case's pages and GET /api/cases/{id} list the results issued.
        results.results_provider_register(case_results_for)
        checks.register(signer_setting_check)
