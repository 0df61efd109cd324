from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cityexchange.core"
    label = "core"
    verbose_name = _("Core")

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.core import seeding

        return seeding.seed(demo=demo)
