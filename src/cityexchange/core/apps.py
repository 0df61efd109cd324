from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cityexchange.core"
    label = "core"
    verbose_name = _("Core")

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.core import seeding

        return seeding.seed(demo=demo)

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # After auth has created an app's permissions, give the roles theirs.
        post_migrate.connect(_sync_role_groups, dispatch_uid="cityexchange-role-groups")

        from cityexchange.core import metrics, requestlog

        # Request ids travel with tasks; tasks and registrations are counted.
        requestlog.connect_task_signals()
        metrics.connect_signals()


def _sync_role_groups(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    from cityexchange.core.services import role_groups_sync

    role_groups_sync(app_label=sender.label, using=using)
