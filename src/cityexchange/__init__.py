"""cityexchange: an international smart-city knowledge-exchange platform."""

from .celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
