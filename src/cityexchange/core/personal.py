"""How an app takes part in a person's data export and in account erasure.

``core.services.user_personal_data`` and ``user_erase`` ask every installed app's
AppConfig for ``personal_data(user)`` and ``erase_personal_data(user)``. An app whose
``services`` module has ``personal_data_of`` and ``personal_data_erase`` mixes this in.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


class PersonalDataFromServices:
    """AppConfig mixin: the app's ``services`` answer for the export and erasure."""

    name: str

    def personal_data(self, user: Any) -> Any:
        return import_module(f"{self.name}.services").personal_data_of(user=user)

    def erase_personal_data(self, user: Any) -> None:
        import_module(f"{self.name}.services").personal_data_erase(user=user)
