"""Back office: staff set up rounds (stages, sizes, rules, criteria, committee) in four
languages and look at what was handed in. Challenges, proposals and scores change only
through their pages and services, so the back office shows them read-only.

Every change of a round and of its inline rows (stages, sizes, rules, criteria, the
evaluation committee) is audited with the values before and after, as the core back
office does; a round already in the directory has its offer brought up to date.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from cityexchange.challenges.models import (
    Challenge,
    ConsortiumRule,
    Criterion,
    Evaluator,
    Pilot,
    PilotProposal,
    PilotSize,
    Round,
    Stage,
)
from cityexchange.core.admin import AuditedAdminMixin


class StageInline(TranslationTabularInline):
    model = Stage
    fields = ("kind", "opens_at", "closes_at", "note", "event")
    raw_id_fields = ("event",)
    extra = 0


class SizeInline(TranslationTabularInline):
    model = PilotSize
    fields = ("key", "name", "duration_months", "amount", "count")
    extra = 0


class RuleInline(admin.TabularInline):
    model = ConsortiumRule
    fields = ("kind", "count", "country")
    extra = 0


class CriterionInline(TranslationTabularInline):
    model = Criterion
    fields = ("key", "name", "max_score", "position")
    extra = 0


class EvaluatorInline(admin.TabularInline):
    model = Evaluator
    fields = ("user",)
    raw_id_fields = ("user",)
    extra = 0


@admin.register(Round)
class RoundAdmin(AuditedAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "organiser", "is_demo")
    search_fields = ("name", "slug")
    raw_id_fields = ("organiser", "offer")
    filter_horizontal = ("topics",)
    inlines = (StageInline, SizeInline, RuleInline, CriterionInline, EvaluatorInline)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if form.instance.offer_id:
            from cityexchange.challenges.services import round_offer_sync

            round_offer_sync(round=form.instance, user=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = ("title", "city", "round", "status", "submitted_at", "is_demo")
    list_filter = ("round", "status")
    search_fields = ("title", "city__name")


@admin.register(Pilot)
class PilotAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "starts_on", "ends_on", "results_published_at")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(PilotProposal)
class PilotProposalAdmin(ReadOnlyAdmin):
    list_display = ("title", "lead", "round", "size", "status", "consensus_score")
    list_filter = ("round", "status")
    search_fields = ("title", "lead__name")
