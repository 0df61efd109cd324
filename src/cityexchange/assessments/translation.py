"""Content fields of the maturity model held in de/en/es/pt (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.assessments.models import (
    Activity,
    Dimension,
    Indicator,
    Level,
    MaturityModel,
    ScaleLevel,
)


@register(MaturityModel)
class MaturityModelTranslation(TranslationOptions):
    fields = ("name",)


@register(ScaleLevel)
class ScaleLevelTranslation(TranslationOptions):
    fields = ("name",)


@register(Dimension)
class DimensionTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Indicator)
class IndicatorTranslation(TranslationOptions):
    fields = ("name", "question")


@register(Level)
class LevelTranslation(TranslationOptions):
    fields = ("statement", "improve")


@register(Activity)
class ActivityTranslation(TranslationOptions):
    fields = ("name", "description")
