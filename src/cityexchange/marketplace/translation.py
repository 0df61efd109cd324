"""Content fields of the marketplace held in de/en/es/pt (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cityexchange.marketplace.models import Category, Product, Shop, Town


@register(Town)
class TownTranslation(TranslationOptions):
    fields = ("name", "terms", "imprint")


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Shop)
class ShopTranslation(TranslationOptions):
    fields = ("description",)


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")
