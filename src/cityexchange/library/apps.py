from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from cityexchange.core.personal import PersonalDataFromServices


def fill_search_index(*, using: str = "default", verbosity: int = 1, **_kwargs: Any) -> None:
    """After ``migrate``: build the search index when published resources lack entries.

    Migrations that change the index's shape empty it (the index is derived data and
    migrations do not import live code); this fills it with the code now running, so
    search answers without a manual ``cityexchange reindex``.
    """
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    from cityexchange.library.services import index_is_incomplete, index_rebuild

    if using != "default":  # the services write through the default database
        return
    # Not after migrating back, or forward to an earlier state: the index is written
    # with the models of the last migration.
    loader = MigrationLoader(connections[using])
    if not set(loader.graph.leaf_nodes("library")) <= set(loader.applied_migrations):
        return
    if index_is_incomplete():
        count = index_rebuild()
        if verbosity:
            print(f"Library search index rebuilt: {count} resources.")  # noqa: T201


class LibraryConfig(PersonalDataFromServices, AppConfig):
    name = "cityexchange.library"
    label = "library"
    verbose_name = _("Library")
    privacy_template = "library/privacy.html"

    def ready(self) -> None:
        from celery.schedules import crontab

        post_migrate.connect(fill_search_index, sender=self)

        from cityexchange.celery import app

        # Mondays 06:00 UTC; each subscription's own frequency decides whether it is due.
        app.conf.beat_schedule.update(
            {
                "library-send-digests": {
                    "task": "cityexchange.library.tasks.send_digests",
                    "schedule": crontab(minute=0, hour=6, day_of_week=1),
                }
            }
        )

    def seed(self, *, demo: bool) -> list[str]:
        from cityexchange.library import seeding

        return seeding.seed(demo=demo)

    def home_highlights(self, user: object) -> dict[str, list[object]]:
        """The newest entries this user may see, for the home page (see
        ``core.selectors.home_highlights``)."""
        from cityexchange.library.selectors import newest_resources

        return {"newest": list(newest_resources(user=user, limit=3))}

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.library.account import account_sections

        return account_sections(user)
