from typing import Any

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Fields of other apps' rows that the Finder's per-topic lists show or filter on;
# a save that touches none of them (seat counters, view counts) changes no list.
WATCHED = {
    ("library", "Resource"): ("slug", "title", "status", "visibility", "published_on"),
    ("events", "Event"): ("slug", "title", "status", "starts_at"),
    ("directory", "MunicipalityProfile"): ("listed_as_peer", "organisation"),
}


def _saved(fields: tuple[str, ...]) -> Any:
    def receiver(sender: Any, update_fields: Any = None, **kwargs: Any) -> None:
        from cityexchange.directory.neighbours import neighbours_changed

        if update_fields is None or any(
            name == field or name.startswith(f"{field}_")
            for name in update_fields
            for field in fields
        ):
            neighbours_changed()

    return receiver


def _offers_changed(*args: Any, **kwargs: Any) -> None:
    from django.db import transaction

    from cityexchange.directory.services import offers_changed

    # At once, so this process (and its open transaction) sees its own change, and
    # again after the commit, for processes that rebuilt from the old rows meanwhile.
    offers_changed()
    transaction.on_commit(offers_changed)


class DirectoryConfig(AppConfig):
    name = "cityexchange.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        # The Finder keeps per-topic lists of events, library resources and peers
        # (directory/neighbours.py); changes to them mark the lists outdated. Signals,
        # because those rows belong to other apps; bulk writes send none, which the
        # lists' maximum age covers.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from cityexchange.directory.neighbours import neighbours_changed

        for (app_label, model_name), fields in WATCHED.items():
            if not apps.is_installed(f"cityexchange.{app_label}"):
                continue
            model = apps.get_model(app_label, model_name)
            uid = f"directory-neighbours-{app_label}-{model_name}"
            post_save.connect(_saved(fields), sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(neighbours_changed, sender=model, dispatch_uid=uid)
            topics = getattr(model, "topics", None)
            if topics is not None:
                m2m_changed.connect(neighbours_changed, sender=topics.through, dispatch_uid=uid)

        # The Finder's offer profiles: any saved or deleted offer (admin, shell, data
        # migration) marks them outdated once the transaction commits.
        offer = apps.get_model("directory", "Offer")
        post_save.connect(_offers_changed, sender=offer, dispatch_uid="directory-offers")
        post_delete.connect(_offers_changed, sender=offer, dispatch_uid="directory-offers")
        for relation in (offer.topics, offer.organisers):
            m2m_changed.connect(
                _offers_changed, sender=relation.through, dispatch_uid="directory-offers"
            )

    def seed(self, *, demo: bool) -> list[str]:
        """Load the shipped catalogue of offers (and, with demo, demo municipality profiles)."""
        from cityexchange.directory import seeding

        return seeding.seed(demo=demo)

    def account_sections(self, user: Any) -> list[Any]:
        """What "My cityexchange" shows of this app (see ``accounts.sections``)."""
        from cityexchange.directory.account import account_sections

        return account_sections(user)
