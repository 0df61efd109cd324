"""Celery application: tasks run inline unless CITYEXCHANGE_BROKER_URL names a broker."""

import os
import sys

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityexchange.settings")

_cwd = os.getcwd()
app = Celery("cityexchange")
# Celery's Django fix-up puts the working directory first on sys.path. Then a
# rules.py or celery.py in whatever directory a command runs from would shadow
# the real packages (running makemessages inside an app fails that way).
if sys.path and sys.path[0] == _cwd:
    del sys.path[0]
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
