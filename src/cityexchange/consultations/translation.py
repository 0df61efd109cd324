"""Content fields of consultations held in de/en/es/pt (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.consultations.models import Consultation


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("title", "introduction", "response_summary")
