"""Content fields of the library held in de/en/es/pt (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.library.models import Attachment, Resource


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Attachment)
class AttachmentTranslation(TranslationOptions):
    fields = ("title",)
