"""The rating link a case's paper carries (notices, the hand-out receipt) as a second QR code.

The case engine knows neither when a case may be rated nor how a rating link is made; the
app that owns ratings (``evaluations``) registers a provider from its ``AppConfig.ready``::

    rating_links.rating_link_provider_register(services.rating_link_for_paper)

``case_rating_link(case)`` asks the providers in turn and returns the first path given (the
caller makes it absolute). A provider returns ``None`` when the case cannot be rated now; with
no provider registered no case has a link, and its paper prints no rating QR code. A
provider may write (issue a token) in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from onestop.cases.models import Case

Provider = Callable[[Case], str | None]

_providers: list[Provider] = []


def rating_link_provider_register(provider: Provider) -> None:
    """Ask ``provider(case)`` for the rating link from now on (ready() may run twice)."""
    if provider not in _providers:
        _providers.append(provider)


def rating_link_provider_clear(provider: Provider) -> None:
    """Forget a provider (tests that show paper without one)."""
    _providers[:] = [p for p in _providers if p is not provider]


def case_rating_link(case: Case) -> str | None:
    """The path of the page where this case can be rated now, or ``None`` if it cannot."""
    for provider in _providers:
        path = provider(case)
        if path:
            return path
    return None
