"""Content fields of the network app held in de/en/es/pt (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.network.models import Body, BudgetLine, Membership, Partnership, ReportedFigure


@register(Membership)
class MembershipTranslation(TranslationOptions):
    fields = ("note",)


@register(Partnership)
class PartnershipTranslation(TranslationOptions):
    fields = ("title", "public_description")


@register(Body)
class BodyTranslation(TranslationOptions):
    fields = ("name", "description", "cadence")


@register(BudgetLine)
class BudgetLineTranslation(TranslationOptions):
    fields = ("name",)


@register(ReportedFigure)
class ReportedFigureTranslation(TranslationOptions):
    fields = ("period_note",)
