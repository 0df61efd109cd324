"""Celery application: tasks run inline unless CITYEXCHANGE_BROKER_URL names a broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityexchange.settings")

app = Celery("cityexchange")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
