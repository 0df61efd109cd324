"""Content fields of the events app held in de/en/es/pt (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.events.models import Event, Format, Material, Series


@register(Format)
class FormatTranslation(TranslationOptions):
    fields = ("name", "description", "language_policy", "cadence")


@register(Series)
class SeriesTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "abstract")


@register(Material)
class MaterialTranslation(TranslationOptions):
    fields = ("title", "summary")
