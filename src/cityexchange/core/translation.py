"""Content fields held in de/en/es/pt (django-modeltranslation), with fallback."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.core.models import Concept, Organisation


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Concept)
class ConceptTranslation(TranslationOptions):
    fields = ("label",)
