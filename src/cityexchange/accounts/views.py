"""Pages of the accounts app: My cityexchange, organisations and their teams, invitations.

Views stay thin: authorise (outsiders get 404), parse the form, call one service,
redirect. Refusals a person can act on (the last owner, a used link) are messages in
their language, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cityexchange.accounts import selectors, services
from cityexchange.accounts.forms import (
    EraseForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationProposalForm,
    ProfileForm,
    RoleForm,
)
from cityexchange.accounts.models import JoinRequest
from cityexchange.accounts.sections import account_sections, earlier_records
from cityexchange.accounts.services import AccountsError
from cityexchange.core import services as core_services
from cityexchange.core.access import get_for_user
from cityexchange.core.models import Membership, Organisation, User
from cityexchange.core.rules import is_staff_or_admin


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


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it
    return user


def _home_context(user: User, **forms: Any) -> dict[str, Any]:
    return {
        "form": forms.get("form")
        or ProfileForm(
            initial={
                "full_name": user.full_name,
                "language": user.language,
                "timezone": user.timezone,
            }
        ),
        "erase_form": forms.get("erase_form") or EraseForm(user=user),
        "memberships": selectors.memberships_of(user=user),
        "join_requests": selectors.join_requests_of(user=user),
        "sections": account_sections(user=user),
        "earlier": earlier_records(user=user) if selectors.has_verified_address(user=user) else 0,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My cityexchange: settings, organisations, and what each module holds for the person."""
    user = _user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, initial={"timezone": user.timezone})
        if form.is_valid():
            core_services.user_update_profile(
                user=user,
                full_name=form.cleaned_data["full_name"],
                language=form.cleaned_data["language"],
                timezone_name=form.cleaned_data["timezone"],
            )
            messages.success(request, _("Your settings are saved."))
            return redirect("accounts:home")
        return render(request, "accounts/home.html", _home_context(user, form=form))
    return render(request, "accounts/home.html", _home_context(user))


@login_required
@require_POST
def link_earlier(request: HttpRequest) -> HttpResponse:
    """The person confirms that registrations made with their address are theirs."""
    try:
        count = services.earlier_records_link(user=_user(request))
    except AccountsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d earlier registration is now part of your account.",
                "%(count)d earlier registrations are now part of your account.",
                count,
            )
            % {"count": count},
        )
    return redirect("accounts:home")


@login_required
def export(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        core_services.user_personal_data(user=_user(request)),
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = 'attachment; filename="cityexchange-my-data.json"'
    return response


@login_required
@require_POST
def erase(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EraseForm(request.POST, user=user)
    if not form.is_valid():
        return render(
            request, "accounts/home.html", _home_context(user, erase_form=form), status=400
        )
    core_services.user_erase(user=user)
    logout(request)
    messages.success(request, _("Your account and personal data have been deleted."))
    return redirect("core:home")


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    """Find an organisation to join, or propose one that is not listed."""
    user = _user(request)
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "accounts/organisations.html",
        {
            "query": query,
            "matches": selectors.organisations_matching(query=query, user=user),
            "join_form": JoinRequestForm(),
            "memberships": selectors.memberships_of(user=user),
            "join_requests": selectors.join_requests_of(user=user),
        },
    )


@login_required
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_for_user(
        Organisation.objects.filter(is_demo=False), user=request.user, slug=slug
    )
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please shorten your message."))
        return redirect("accounts:organisations")
    try:
        services.join_request_create(
            user=_user(request), organisation=organisation, message=form.cleaned_data["message"]
        )
    except AccountsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Your request to join %(name)s has been sent. You will get an e-mail with the answer."
            )
            % {"name": organisation.name},
        )
    return redirect("accounts:organisations")


@login_required
def organisation_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_request_create(user=_user(request), **form.cleaned_data)
        except AccountsError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The network team will confirm the new organisation and tell you by e-mail."
                ),
            )
            return redirect("accounts:organisations")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/organisation_new.html", {"form": form}, status=status)


@login_required
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's team: members see it; owners and staff manage it."""
    found = get_for_user(
        Organisation.objects.all(), user=request.user, perm="accounts.view_members", slug=slug
    )
    can_manage = request.user.has_perm("accounts.manage_members", found)
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": found,
            "team": selectors.team_of(organisation=found),
            "can_manage": can_manage,
            "requests": selectors.pending_requests_for(organisation=found) if can_manage else [],
            "invitations": selectors.open_invitations_for(organisation=found) if can_manage else [],
            "invite_form": InvitationForm(),
        },
    )


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    found = get_for_user(
        Organisation.objects.all(), user=request.user, perm="accounts.manage_members", slug=slug
    )
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please enter a valid e-mail address and role."))
    else:
        try:
            services.invitation_create(
                organisation=found,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor=_user(request),
            )
        except AccountsError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The invitation has been sent to %(email)s.") % form.cleaned_data
            )
    return redirect("accounts:organisation", slug=found.slug)


def _decidable(request: HttpRequest, pk: int) -> JoinRequest:
    return get_for_user(
        JoinRequest.objects.select_related("organisation", "user"),
        user=request.user,
        perm="accounts.decide_join_request",
        pk=pk,
    )


def _after_decision(request: HttpRequest, join_request: JoinRequest) -> HttpResponse:
    if join_request.organisation is not None:
        return redirect("accounts:organisation", slug=join_request.organisation.slug)
    return redirect("accounts:staff_requests")


@login_required
@require_POST
def join_request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = _decidable(request, pk)
    try:
        services.join_request_accept(join_request=join_request, actor=_user(request))
    except AccountsError as error:
        messages.error(request, error.message)
    else:
        join_request.refresh_from_db()
        messages.success(request, _("%(name)s is now a member.") % {"name": join_request.user})
    return _after_decision(request, join_request)


@login_required
@require_POST
def join_request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = _decidable(request, pk)
    try:
        services.join_request_decline(join_request=join_request, actor=_user(request))
    except AccountsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request has been declined."))
    return _after_decision(request, join_request)


@login_required
def staff_requests(request: HttpRequest) -> HttpResponse:
    """Organisations people proposed, for network staff to confirm."""
    if not is_staff_or_admin(request.user):
        raise Http404
    return render(
        request, "accounts/staff_requests.html", {"requests": selectors.proposed_organisations()}
    )


def _managed_membership(request: HttpRequest, pk: int) -> Membership:
    """A membership of an organisation the signed-in person may manage; else 404."""
    membership = get_for_user(
        Membership.objects.select_related("organisation", "user"), user=request.user, pk=pk
    )
    if not request.user.has_perm("accounts.manage_members", membership.organisation):
        raise Http404
    return membership


@login_required
@require_POST
def membership_leave(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_user(
        Membership.objects.select_related("organisation"),
        user=request.user,
        pk=pk,
        user_id=request.user.pk,
    )
    try:
        services.membership_leave(membership=membership, actor=_user(request))
    except AccountsError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("You have left %(name)s.") % {"name": membership.organisation.name}
        )
    return redirect("accounts:home")


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _managed_membership(request, pk)
    try:
        services.membership_remove(membership=membership, actor=_user(request))
    except AccountsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s has been removed.") % {"name": membership.user})
    return redirect("accounts:organisation", slug=membership.organisation.slug)


@login_required
@require_POST
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _managed_membership(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_role(
                membership=membership, role=form.cleaned_data["role"], actor=_user(request)
            )
        except AccountsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The role has been changed."))
    else:
        messages.error(request, _("Please choose a role."))
    return redirect("accounts:organisation", slug=membership.organisation.slug)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: shows whom it is from; accepting needs an account."""
    try:
        found = services.invitation_find(raw_token=token)
    except AccountsError as error:
        return render(
            request,
            "core/error.html",
            {"status": 410, "title": _("Invitation not usable"), "message": error.message},
            status=410,
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            membership = services.invitation_accept(raw_token=token, user=_user(request))
        except AccountsError as error:
            messages.error(request, error.message)
            return redirect("accounts:home")
        messages.success(
            request, _("Welcome to %(name)s.") % {"name": membership.organisation.name}
        )
        return redirect("accounts:home")
    return render(request, "accounts/invitation.html", {"invitation": found})
