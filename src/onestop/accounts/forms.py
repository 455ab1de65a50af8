"""The login page's form: Django's, with the login throttle (``accounts/throttle.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from onestop.accounts import throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses a user name or address with too many failed logins, before the password is
    checked; counts a wrong password; clears the count on success."""

    throttled = False

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        ip = throttle.client_ip(self.request) if self.request is not None else "-"
        lockout = throttle.login_blocked(username=username, ip=ip)
        if lockout is not None:
            self.throttled = True
            raise ValidationError(lockout.message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                throttle.login_failed(username=username, ip=ip)
            raise
        throttle.login_succeeded(username=username)
        return cleaned
