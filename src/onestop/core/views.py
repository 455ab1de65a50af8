from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """The landing page until the portal and workbench pages exist: staff go to the admin."""
    user = request.user
    if user.is_authenticated and (user.is_superuser or hasattr(user, "staff")):
        return redirect("admin:index")
    return render(request, "onestop/home.html")
