"""Account data that allauth does not hold: consent at sign-up, join requests, invitations.

Models stay slim; every write goes through ``accounts.services``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrivacyConsent(models.Model):
    """That a person agreed to a version of the privacy notice, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_consents"
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    context = models.CharField(_("given when"), max_length=20, default="signup")

    objects: ClassVar[models.Manager[PrivacyConsent]] = models.Manager()

    class Meta:
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.user} – {self.notice_version}"
