"""Pages of the accounts app: My cityexchange, organisations, invitations."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """The admin's own sign-in form would skip the limits on failed sign-ins and the
    second factor; it sends people to the site's sign-in, which comes back after."""
    if request.user.is_authenticated:
        # Signed in but not allowed in the back office: the admin would ask again forever.
        raise PermissionDenied
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    target = target or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
