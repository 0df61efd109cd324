"""Content fields of the challenge programme held in de/en/es/pt (django-modeltranslation).

Challenges, ideas and proposals are written by their authors in one of the round's
languages and are not translated; the round's own texts are.
"""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.challenges.models import Criterion, PilotSize, Round, Stage


@register(Round)
class RoundTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Stage)
class StageTranslation(TranslationOptions):
    fields = ("note",)


@register(PilotSize)
class PilotSizeTranslation(TranslationOptions):
    fields = ("name",)


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("name",)
