"""Content fields of the directory held in de/en/es/pt (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.directory.models import Offer


@register(Offer)
class OfferTranslation(TranslationOptions):
    fields = ("name", "summary", "description", "time_commitment", "recurrence")
