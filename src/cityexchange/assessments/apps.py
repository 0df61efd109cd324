from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "cityexchange.assessments"
    label = "assessments"
    verbose_name = _("Self-assessment")

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.assessments import seeding

        return seeding.seed(demo=demo)
