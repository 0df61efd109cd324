from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "cityexchange.directory"
    label = "directory"
    verbose_name = _("Directory")

    def seed(self, *, demo: bool) -> list[str]:
        """Load the shipped catalogue of offers (and, with demo, demo municipality profiles)."""
        from cityexchange.directory import seeding

        return seeding.seed(demo=demo)
