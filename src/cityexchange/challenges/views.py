"""Pages of the challenge programme, mounted at /<lang>/challenges/.

Thin: authorise through ``get_for_user`` (outsiders get 404), parse a form, call
one service, redirect or render. Every page works without JavaScript; the
consortium builder re-checks the rules each time it is shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_countries import countries as all_countries

from cityexchange.challenges import exports, selectors, services
from cityexchange.challenges.forms import (
    AnswerForm,
    AttachmentForm,
    BudgetForm,
    CatalogueFilter,
    ChallengeForm,
    ConflictForm,
    ConsensusForm,
    FigureForm,
    IdeaForm,
    InviteForm,
    MilestoneForm,
    OutcomesForm,
    PilotPlanForm,
    PilotReportForm,
    ProposalForm,
    RevisionForm,
    ScoreForm,
)
from cityexchange.challenges.models import (
    Challenge,
    ChallengeAttachment,
    ConsortiumMember,
    Criterion,
    MilestoneStatus,
    Pilot,
    PilotProposal,
    PilotReport,
    Round,
    SolutionIdea,
    StageKind,
)
from cityexchange.core.access import get_for_user
from cityexchange.core.i18n import current_language
from cityexchange.core.models import User


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - every caller is behind login_required
    return user


def _round(slug: str) -> Round:
    return get_for_user(selectors.round_queryset(), user=None, slug=slug)


def _challenge(request: HttpRequest, pk: int) -> Challenge:
    return get_for_user(
        selectors.challenge_queryset(), user=request.user, perm="challenges.view_challenge", pk=pk
    )


def _proposal(request: HttpRequest, pk: int) -> PilotProposal:
    return get_for_user(
        selectors.proposal_queryset(), user=request.user, perm="challenges.view_proposal", pk=pk
    )


def _country_choices(codes: list[str]) -> list[tuple[str, str]]:
    names = dict(all_countries)
    return sorted(((code, str(names.get(code, code))) for code in codes), key=lambda pair: pair[1])


# ---------------------------------------------------------------- rounds


def home(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.rounds_list())
    return render(
        request,
        "challenges/home.html",
        {
            "rounds": [(r, selectors.timeline(r)) for r in rounds],
            "my_challenges": selectors.my_challenges(request.user),
            "my_proposals": selectors.my_proposals(request.user),
        },
    )


def round_detail(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    entries = selectors.timeline(round_)
    current = [e for e in entries if e.state == "current"]
    return render(
        request,
        "challenges/round.html",
        {
            "round": round_,
            "timeline": entries,
            "current": current,
            "open": {e.stage.kind for e in current},
            "rule_texts": [c.message for c in services.round_rules(round_)],
            "sizes": list(round_.sizes.all()),
            "is_staff": request.user.has_perm("challenges.manage_round"),
            "is_evaluator": selectors.evaluator_of(round_, request.user) is not None,
            "cities": selectors.cities_of(request.user),
            "organisations": selectors.organisations_of(request.user),
            "counts": selectors.staff_counts(round_, language=current_language())
            if request.user.has_perm("challenges.manage_round")
            else None,
            "ideas": list(selectors.public_ideas(round_)),
            "pilots": list(selectors.public_pilots(round_)),
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    if not request.user.has_perm("challenges.manage_round"):
        raise Http404
    count = services.round_publish_challenges(round=round_, user=_user(request))
    messages.success(request, _("%(count)d challenges published.") % {"count": count})
    return redirect("challenges:round", slug=round_.slug)


# ---------------------------------------------------------------- challenges


def catalogue(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    form = CatalogueFilter(
        request.GET or None,
        topics=selectors.catalogue_topics(round_),
        countries=_country_choices(selectors.catalogue_countries(round_)),
    )
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            filters = {
                "topic": form.cleaned_data["topic"] or None,
                "country": form.cleaned_data["country"] or None,
                "query": form.cleaned_data["q"] or None,
            }
        else:
            status = 400
    items = list(selectors.catalogue(round_=round_, **filters)) if status == 200 else []
    return render(
        request,
        "challenges/catalogue.html",
        {
            "round": round_,
            "form": form,
            "challenges": items,
            "mine": selectors.my_interests(request.user, round_),
            "cities": selectors.cities_of(request.user),
            "interest_open": StageKind.INTEREST in selectors.open_stages(round_),
        },
        status=status,
    )


@login_required
def challenge_new(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    cities = selectors.cities_of(request.user)
    if not cities:
        return render(request, "challenges/no_city.html", {"round": round_}, status=403)
    form = ChallengeForm(request.POST or None, cities=cities, languages=round_.languages)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_create(
                round=round_,
                city=form.cleaned_data["city"],
                user=_user(request),
                data=form.to_input(),
            )
        except services.ChallengeError as exc:
            error = str(exc)
        else:
            if request.POST.get("action") == "submit":
                return _submit_and_redirect(request, challenge)
            messages.success(request, _("Your draft has been saved."))
            return redirect("challenges:challenge_edit", pk=challenge.pk)
    return render(
        request,
        "challenges/challenge_form.html",
        {"round": round_, "form": form, "error": error, "challenge": None},
        status=400 if request.method == "POST" else 200,
    )


def _submit_and_redirect(request: HttpRequest, challenge: Challenge) -> HttpResponse:
    try:
        services.challenge_submit(challenge=challenge, user=_user(request))
    except services.ChallengeError as exc:
        messages.error(
            request, _("Your draft has been saved, but not handed in: %(reason)s") % {"reason": exc}
        )
        return redirect("challenges:challenge_edit", pk=challenge.pk)
    messages.success(request, _("Your challenge has been handed in."))
    return redirect("challenges:challenge", pk=challenge.pk)


@login_required
def challenge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    if not request.user.has_perm("challenges.change_challenge", challenge):
        raise PermissionDenied
    if not challenge.is_editable:
        return redirect("challenges:challenge", pk=challenge.pk)
    initial = {
        "city": challenge.city.slug,
        "topics": [t.key for t in challenge.topics.all()],
        **{name: getattr(challenge, name) for name in services.CHALLENGE_TEXT_FIELDS},
        "population": challenge.population,
        "language": challenge.language,
    }
    form = ChallengeForm(
        request.POST or None,
        initial=initial,
        cities=[challenge.city],
        languages=challenge.round.languages,
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_update(
                challenge=challenge, user=_user(request), data=form.to_input()
            )
        except services.ChallengeError as exc:
            error = str(exc)
        else:
            if request.POST.get("action") == "submit":
                return _submit_and_redirect(request, challenge)
            messages.success(request, _("Your draft has been saved."))
            return redirect("challenges:challenge_edit", pk=challenge.pk)
    return render(
        request,
        "challenges/challenge_form.html",
        {
            "round": challenge.round,
            "form": form,
            "error": error,
            "challenge": challenge,
            "attachment_form": AttachmentForm(),
            "attachments": list(challenge.attachments.all()),
        },
        status=400 if request.method == "POST" else 200,
    )


def challenge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    user = request.user
    mine = selectors.my_interests(user, challenge.round)
    other_cities = [c for c in selectors.cities_of(user) if c.pk != challenge.city_id]
    return render(
        request,
        "challenges/challenge.html",
        {
            "challenge": challenge,
            "round": challenge.round,
            "can_change": user.has_perm("challenges.change_challenge", challenge),
            "can_review": user.has_perm("challenges.review_challenge", challenge),
            "interests": selectors.interests_of(challenge)
            if user.has_perm("challenges.view_interests", challenge)
            else None,
            "suggestions": selectors.partner_suggestions(challenge)
            if user.has_perm("challenges.view_interests", challenge)
            else None,
            "interested": challenge.pk in mine,
            "other_cities": other_cities,
            "interest_open": StageKind.INTEREST in selectors.open_stages(challenge.round),
            "revision_form": RevisionForm(),
        },
    )


@login_required
@require_POST
def challenge_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    if not request.user.has_perm("challenges.change_challenge", challenge):
        raise PermissionDenied
    try:
        services.challenge_withdraw(challenge=challenge, user=_user(request))
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your challenge has been withdrawn."))
    return redirect("challenges:challenge", pk=challenge.pk)


@login_required
@require_POST
def challenge_revision(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    if not request.user.has_perm("challenges.review_challenge", challenge):
        raise Http404
    form = RevisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what should be revised."))
    else:
        try:
            services.challenge_request_revision(
                challenge=challenge, user=_user(request), note=form.cleaned_data["note"]
            )
        except services.ChallengeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The city has been asked for a revision."))
    return redirect("challenges:challenge", pk=challenge.pk)


@login_required
@require_POST
def interest(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    cities = [c for c in selectors.cities_of(request.user) if c.pk != challenge.city_id]
    chosen = next((c for c in cities if c.slug == request.POST.get("city")), None)
    if chosen is None and len(cities) == 1:
        chosen = cities[0]
    if chosen is None:
        messages.error(request, _("Choose one of your cities."))
        return redirect("challenges:challenge", pk=challenge.pk)
    try:
        if request.POST.get("action") == "remove":
            existing = challenge.interests.filter(city=chosen).first()
            if existing is not None:
                services.interest_remove(interest=existing, user=_user(request))
            messages.success(request, _("Your city's interest has been withdrawn."))
        else:
            services.interest_add(
                challenge=challenge,
                city=chosen,
                user=_user(request),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Your city's interest has been recorded."))
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    return redirect("challenges:challenge", pk=challenge.pk)


# ---------------------------------------------------------------- proposals and consortium


@login_required
def proposal_new(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    organisations = selectors.organisations_of(request.user)
    if not organisations:
        return render(request, "challenges/no_city.html", {"round": round_}, status=403)
    sizes = list(round_.sizes.all())
    ideas = selectors.ideas_for_proposal(round_)
    form = ProposalForm(request.POST or None, organisations=organisations, sizes=sizes, ideas=ideas)
    error = ""
    if request.method == "POST" and form.is_valid():
        size = next(s for s in sizes if str(s.pk) == form.cleaned_data["size"])
        idea = next((i for i in ideas if str(i.pk) == form.cleaned_data["idea"]), None)
        try:
            proposal = services.proposal_create(
                round=round_,
                lead=form.cleaned_data["lead"],
                size=size,
                idea=idea,
                user=_user(request),
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except services.ChallengeError as exc:
            error = str(exc)
        else:
            return redirect("challenges:proposal", pk=proposal.pk)
    return render(
        request,
        "challenges/proposal_new.html",
        {"round": round_, "form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The consortium builder: members, budget, invitations and the live rule check."""
    proposal = _proposal(request, pk)
    user = request.user
    can_change = user.has_perm("challenges.change_proposal", proposal)
    members = list(proposal.members.all())
    mine = {o.pk for o in selectors.organisations_of(user)}
    checks = services.consortium_check(proposal)
    total = sum((m.budget for m in members if m.status != "declined"), start=Decimal(0))
    return render(
        request,
        "challenges/proposal.html",
        {
            "proposal": proposal,
            "round": proposal.round,
            "members": members,
            "checks": checks,
            "all_met": all(c.met for c in checks),
            "total": total,
            "can_change": can_change and proposal.status == "draft",
            "invite_form": InviteForm(candidates=selectors.partner_candidates(proposal))
            if can_change
            else None,
            "answerable": [
                m for m in members if m.status == "invited" and m.organisation_id in mine
            ],
            "answer_form": AnswerForm(),
            "can_evaluate": user.has_perm("challenges.evaluate_proposal", proposal),
        },
    )


def _changeable(request: HttpRequest, pk: int) -> PilotProposal:
    proposal = _proposal(request, pk)
    if not request.user.has_perm("challenges.change_proposal", proposal):
        raise PermissionDenied
    return proposal


@login_required
@require_POST
def proposal_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _changeable(request, pk)
    form = InviteForm(request.POST, candidates=selectors.partner_candidates(proposal))
    if not form.is_valid():
        messages.error(request, _("Choose an organisation and a budget of zero or more."))
    else:
        try:
            services.member_invite(
                proposal=proposal,
                organisation=form.cleaned_data["organisation"],
                budget=form.cleaned_data["budget"],
                user=_user(request),
            )
        except services.ChallengeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("The organisation has been invited; one of its members must accept.")
            )
    return redirect("challenges:proposal", pk=proposal.pk)


def _member(request: HttpRequest, pk: int) -> ConsortiumMember:
    member = get_for_user(
        ConsortiumMember.objects.select_related("proposal"), user=request.user, pk=pk
    )
    # Seeing the proposal is what lets someone act on its members at all.
    _proposal(request, member.proposal_id)
    return member


@login_required
@require_POST
def member_answer(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = AnswerForm(request.POST)
    form.is_valid()
    try:
        services.member_answer(
            member=member,
            user=_user(request),
            accept=request.POST.get("action") == "accept",
            commitment=form.cleaned_data.get("commitment", ""),
        )
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your answer has been recorded."))
    return redirect("challenges:proposal", pk=member.proposal_id)


@login_required
@require_POST
def member_budget(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = BudgetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A budget is an amount of zero or more."))
    else:
        try:
            services.member_budget_set(
                member=member, user=_user(request), budget=form.cleaned_data["budget"]
            )
        except services.ChallengeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The budget has been saved."))
    return redirect("challenges:proposal", pk=member.proposal_id)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    try:
        services.member_remove(member=member, user=_user(request))
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The organisation has been removed from the consortium."))
    return redirect("challenges:proposal", pk=member.proposal_id)


@login_required
@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _changeable(request, pk)
    try:
        services.proposal_submit(proposal=proposal, user=_user(request))
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your proposal has been handed in."))
    return redirect("challenges:proposal", pk=proposal.pk)


# ---------------------------------------------------------------- evaluation


@login_required
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    evaluator = selectors.evaluator_of(round_, request.user)
    if evaluator is None:
        raise Http404
    return render(
        request,
        "challenges/workspace.html",
        {
            "round": round_,
            "items": selectors.workspace(evaluator),
            "criteria_count": len(round_.criteria.all()),
            "conflict_form": ConflictForm(),
        },
    )


@login_required
@require_POST
def conflict(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_for_user(PilotProposal.objects.select_related("round"), user=request.user, pk=pk)
    if selectors.evaluator_of(proposal.round, request.user) is None:
        raise Http404
    form = ConflictForm(request.POST)
    form.is_valid()
    try:
        services.conflict_declare(
            proposal=proposal, user=_user(request), reason=form.cleaned_data.get("reason", "")
        )
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Your conflict of interest has been recorded; you will not see or score this proposal."
            ),
        )
    return redirect("challenges:workspace", slug=proposal.round.slug)


@login_required
def score(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_for_user(
        selectors.proposal_queryset(), user=request.user, perm="challenges.evaluate_proposal", pk=pk
    )
    evaluator = selectors.evaluator_of(proposal.round, request.user)
    assert evaluator is not None  # noqa: S101 - the permission requires it
    criteria = list(Criterion.objects.filter(round=proposal.round))
    existing = selectors.scores_of(evaluator, proposal)
    initial: dict[str, Any] = {}
    for cid, s in existing.items():
        initial[f"score_{cid}"] = s.value
        initial[f"comment_{cid}"] = s.comment
    form = ScoreForm(request.POST or None, initial=initial, criteria=criteria)
    error = ""
    if request.method == "POST" and form.is_valid():
        items = [
            services.ScoreInput(
                criterion=c,
                value=form.cleaned_data[f"score_{c.pk}"],
                comment=form.cleaned_data[f"comment_{c.pk}"],
            )
            for c in criteria
        ]
        try:
            services.scores_save(proposal=proposal, user=_user(request), scores=items)
        except services.ChallengeError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Your scores have been saved."))
            return redirect("challenges:workspace", slug=proposal.round.slug)
    return render(
        request,
        "challenges/score.html",
        {
            "proposal": proposal,
            "round": proposal.round,
            "form": form,
            "error": error,
            "members": list(proposal.members.all()),
            "existing": existing,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def panel(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    if not request.user.has_perm("challenges.manage_round"):
        raise Http404
    return render(
        request,
        "challenges/panel.html",
        {
            "round": round_,
            "rows": selectors.panel(round_),
            "criteria": list(round_.criteria.all()),
            "consensus_form": ConsensusForm(),
        },
    )


@login_required
@require_POST
def consensus(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_for_user(PilotProposal.objects.select_related("round"), user=request.user, pk=pk)
    if not request.user.has_perm("challenges.manage_round"):
        raise Http404
    action = request.POST.get("action", "")
    form = ConsensusForm(request.POST)
    try:
        if action in ("fund", "decline"):
            services.proposal_decide(
                proposal=proposal, user=_user(request), funded=action == "fund"
            )
        elif form.is_valid():
            services.consensus_set(
                proposal=proposal,
                user=_user(request),
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        else:
            messages.error(request, _("A consensus score is a number of zero or more."))
            return redirect("challenges:panel", slug=proposal.round.slug)
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("challenges:panel", slug=proposal.round.slug)


@login_required
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The round's handed-in challenges as CSV or XLSX, for staff."""
    round_ = _round(slug)
    if not request.user.has_perm("challenges.manage_round"):
        raise Http404
    rows = selectors.handed_in(round_)
    if fmt == "xlsx":
        return exports.challenges_xlsx(round_, rows)
    return exports.challenges_csv(round_, rows)


# ---------------------------------------------------------------- solution ideas


def ideas(request: HttpRequest, slug: str) -> HttpResponse:
    """Selected ideas for everyone; staff also see what was handed in and select."""
    round_ = _round(slug)
    is_staff = request.user.has_perm("challenges.manage_round")
    return render(
        request,
        "challenges/ideas.html",
        {
            "round": round_,
            "selected": list(selectors.public_ideas(round_)),
            "handed_in": selectors.ideas_handed_in(round_) if is_staff else [],
            "mine": selectors.my_ideas(request.user, round_),
            "can_propose": StageKind.IDEAS in selectors.open_stages(round_)
            and bool(selectors.organisations_of(request.user)),
        },
    )


@login_required
def idea_new(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = _round(slug)
    organisations = selectors.organisations_of(request.user)
    if not organisations:
        return render(request, "challenges/no_city.html", {"round": round_}, status=403)
    published = list(selectors.catalogue(round_=round_))
    form = IdeaForm(request.POST or None, organisations=organisations, challenges=published)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = services.IdeaInput(
            title=form.cleaned_data["title"],
            approach=form.cleaned_data["approach"],
            novelty=form.cleaned_data["novelty"],
            team=form.cleaned_data["team"],
            expected_results=form.cleaned_data["expected_results"],
            scalability=form.cleaned_data["scalability"],
            summary=form.cleaned_data["summary"],
            challenges=[c for c in published if str(c.pk) in form.cleaned_data["challenges"]],
        )
        try:
            idea = services.idea_create(
                round=round_,
                organisation=form.cleaned_data["organisation"],
                user=_user(request),
                data=data,
            )
        except services.ChallengeError as exc:
            error = str(exc)
        else:
            try:
                services.idea_submit(idea=idea, user=_user(request))
            except services.ChallengeError as exc:
                messages.error(
                    request,
                    _("Your draft has been saved, but not handed in: %(reason)s") % {"reason": exc},
                )
            else:
                messages.success(request, _("Your idea has been handed in."))
            return redirect("challenges:ideas", slug=round_.slug)
    return render(
        request,
        "challenges/idea_form.html",
        {"round": round_, "form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def idea_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """A team hands in a draft idea it saved earlier (e.g. before the call opened, or
    when handing in failed); only members of the idea's organisation, others get 404."""
    idea = get_for_user(
        SolutionIdea.objects.select_related("round"),
        user=request.user,
        perm="challenges.change_idea",
        pk=pk,
    )
    try:
        services.idea_submit(idea=idea, user=_user(request))
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your idea has been handed in."))
    return redirect("challenges:ideas", slug=idea.round.slug)


@login_required
@require_POST
def idea_select(request: HttpRequest, pk: int) -> HttpResponse:
    idea = get_for_user(SolutionIdea.objects.select_related("round"), user=request.user, pk=pk)
    if not request.user.has_perm("challenges.manage_round"):
        raise Http404
    try:
        services.idea_select(
            idea=idea, user=_user(request), selected=request.POST.get("action") == "select"
        )
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("challenges:ideas", slug=idea.round.slug)


# ---------------------------------------------------------------- attachments


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    if not request.user.has_perm("challenges.change_challenge", challenge):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a PDF file."))
    else:
        try:
            services.attachment_add(
                challenge=challenge,
                user=_user(request),
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except services.ChallengeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The file has been attached."))
    return redirect("challenges:challenge_edit", pk=challenge.pk)


def _attachment(request: HttpRequest, pk: int) -> ChallengeAttachment:
    attachment = get_for_user(
        ChallengeAttachment.objects.select_related("challenge"), user=request.user, pk=pk
    )
    # Whoever may see the challenge may read its files; everyone else gets 404.
    _challenge(request, attachment.challenge_id)
    return attachment


def _pdf_download(file: Any, fallback: str) -> FileResponse:
    """A stored PDF (checked on upload) as a download under its own file name."""
    return FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=(file.name or fallback).rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return _pdf_download(_attachment(request, pk).file, "file.pdf")


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment(request, pk)
    if not request.user.has_perm("challenges.change_challenge", attachment.challenge):
        raise PermissionDenied
    try:
        services.attachment_remove(attachment=attachment, user=_user(request))
    except services.ChallengeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The file has been removed."))
    return redirect("challenges:challenge_edit", pk=attachment.challenge_id)


# ---------------------------------------------------------------- pilots


def _pilot(pk: int) -> Pilot:
    return get_for_user(selectors.pilot_queryset(), user=None, pk=pk)


PILOT_FORMS = {
    "plan": PilotPlanForm,
    "milestone": MilestoneForm,
    "report": PilotReportForm,
    "outcomes": OutcomesForm,
    "figure": FigureForm,
}


def pilot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A pilot: plan and milestones for everyone, reports for the consortium and staff,
    results once published (and to the consortium while they write them)."""
    pilot = _pilot(pk)
    user = request.user
    can_change = user.has_perm("challenges.change_pilot", pilot)
    can_report = user.has_perm("challenges.report_pilot", pilot)
    forms_: dict[str, Any] = {
        "plan": PilotPlanForm(
            initial={
                "starts_on": pilot.starts_on,
                "ends_on": pilot.ends_on,
                "report_every_months": pilot.report_every_months,
            }
        ),
        "milestone": MilestoneForm(),
        "report": PilotReportForm(),
        "outcomes": OutcomesForm(
            initial={
                "results": pilot.outcomes,
                "lessons": pilot.lessons,
                "languages": pilot.languages,
            }
        ),
        "figure": FigureForm(),
    }
    status = 200
    error = ""
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (can_change or can_report):
            raise Http404
        action = request.POST.get("action", "")
        try:
            done = _pilot_action(request, pilot, action, forms_)
        except services.ChallengeError as exc:
            error, done = str(exc), False
        if done:
            messages.success(request, _("Saved."))
            return redirect("challenges:pilot", pk=pilot.pk)
        status = 400
    progress = selectors.pilot_progress(pilot)
    show_results = bool(pilot.results_published_at) or can_change
    return render(
        request,
        "challenges/pilot.html",
        {
            "pilot": pilot,
            "round": pilot.proposal.round,
            "proposal": pilot.proposal,
            "challenges": selectors.pilot_challenges(pilot),
            "members": [m for m in pilot.proposal.members.all() if m.status == "accepted"],
            "milestones": list(pilot.milestones.all()),
            "figures": list(pilot.figures.all()) if show_results else [],
            "show_results": show_results,
            "progress": progress,
            "reports": list(pilot.reports.order_by("submitted_at", "pk"))
            if user.has_perm("challenges.view_pilot_reports", pilot)
            else None,
            "can_change": can_change,
            "can_report": can_report,
            "can_publish": user.has_perm("challenges.publish_pilot", pilot),
            "forms": forms_,
            "milestone_states": MilestoneStatus.choices,
            "error": error,
        },
        status=status,
    )


def _pilot_action(request: HttpRequest, pilot: Pilot, action: str, forms_: dict[str, Any]) -> bool:
    """Carry out one of the pilot page's forms; False (with the form's errors) if invalid."""
    user = _user(request)
    if action in ("milestone_status", "figure_remove", "publish"):
        if action == "publish":
            services.pilot_publish_results(pilot=pilot, user=user)
            return True
        if action == "milestone_status":
            milestone = next(
                (m for m in pilot.milestones.all() if str(m.pk) == request.POST.get("milestone")),
                None,
            )
            if milestone is None:
                raise services.ChallengeError(_("Choose one of the listed milestones."))
            services.milestone_set_status(
                milestone=milestone, user=user, status=request.POST.get("status", "")
            )
            return True
        figure = next(
            (f for f in pilot.figures.all() if str(f.pk) == request.POST.get("figure")), None
        )
        if figure is None:
            raise services.ChallengeError(_("Choose one of the listed figures."))
        services.figure_remove(figure=figure, user=user)
        return True
    form_class = PILOT_FORMS.get(action)
    if form_class is None:
        raise services.ChallengeError(_("Choose one of the forms on this page."))
    form = form_class(request.POST, request.FILES)
    forms_[action] = form
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if action == "plan":
        services.pilot_plan_set(
            pilot=pilot,
            user=user,
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            report_every_months=data["report_every_months"],
        )
    elif action == "milestone":
        services.milestone_add(pilot=pilot, user=user, title=data["title"], due_on=data["due_on"])
    elif action == "report":
        services.report_add(
            pilot=pilot, user=user, title=data["title"], text=data["text"], upload=data["file"]
        )
    elif action == "outcomes":
        services.outcomes_save(
            pilot=pilot,
            user=user,
            results=data["results"],
            lessons=data["lessons"],
            languages=data["languages"],
        )
    else:
        services.figure_add(
            pilot=pilot, user=user, label=data["label"], value=data["value"], unit=data["unit"]
        )
    return True


def pilot_report_file(request: HttpRequest, pk: int) -> FileResponse:
    """A report's PDF, for the pilot's consortium and staff only; everyone else gets 404."""
    report = get_for_user(
        PilotReport.objects.select_related("pilot__proposal").exclude(file=""),
        user=None,
        pk=pk,
    )
    if not request.user.has_perm("challenges.view_pilot_reports", report.pilot):
        raise Http404
    return _pdf_download(report.file, "report.pdf")


@login_required
def pilots_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff: the round's pilots with overdue milestones and reports first."""
    round_ = _round(slug)
    if not request.user.has_perm("challenges.manage_round"):
        raise Http404
    return render(
        request,
        "challenges/pilots.html",
        {"round": round_, "rows": selectors.pilots_overview(round_)},
    )


@login_required
@require_POST
def round_offer(request: HttpRequest, slug: str) -> HttpResponse:
    """Staff put the round into the directory of offers (or bring its entry up to date)."""
    round_ = _round(slug)
    if not request.user.has_perm("challenges.manage_round"):
        raise Http404
    services.round_offer_sync(round=round_, user=_user(request))
    messages.success(request, _("The round's entry in the directory is up to date."))
    return redirect("challenges:round", slug=round_.slug)
