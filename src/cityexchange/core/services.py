"""Every write of the core app: typed, keyword-only, atomic and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.utils import timezone

from cityexchange.core.models import (
    ApiToken,
    AuditEntry,
    Membership,
    MembershipRole,
    Organisation,
    User,
)
from cityexchange.core.roles import ADMIN_APPS, STAFF_MODEL_PERMISSIONS, Role

TOKEN_PREFIX = "cx_"  # noqa: S105 - a public marker, not a secret


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "code") and hasattr(value, "name"):  # django-countries Country
        return value.code
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audit view of an object: concrete field values, JSON-safe."""
    names = fields or [
        f.attname
        for f in obj._meta.concrete_fields
        # Timestamps maintained by Django change on every save and say nothing.
        if not (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
    ]
    return {name: _jsonable(getattr(obj, name)) for name in names}


def _same(a: Any, b: Any) -> bool:
    # An empty text and no value read the same to a person: not a change.
    return (None if a == "" else a) == (None if b == "" else b)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; only the fields that changed are kept on an update.

    The log names objects and changes but keeps no personal data: a model lists its
    personal fields in ``personal_fields``; for those the entry records *that* they
    changed, never their values, and the object is named by its kind and id. So the
    log needs no scrubbing when a person is erased or registrations are anonymised.
    """
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if not _same(before.get(k), after.get(k))}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    personal = personal_fields(obj._meta.model)
    # A row about a person (its own personal fields, or a link to an account) is named
    # by kind and id: its __str__ would show their name.
    anonymous = bool(personal) or any(
        f.is_relation and f.related_model is User for f in obj._meta.concrete_fields
    )
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=(f"{obj._meta.verbose_name} {obj.pk}" if anonymous else str(obj))[:250],
        before=_without_personal(before, personal),
        after=_without_personal(after, personal),
    )


# What the audit log shows instead of a personal value.
PERSONAL = "[personal data]"


def personal_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields (names and attnames) of ``model`` that hold personal data."""
    names = set(getattr(model, "personal_fields", ()))
    for field in model._meta.concrete_fields:
        if field.name in names:
            names.add(field.attname)
    return frozenset(names)


def _without_personal(values: dict[str, Any] | None, personal: frozenset[str]) -> Any:
    if values is None or not personal:
        return values
    return {
        k: (PERSONAL if k in personal and v not in (None, "") else v) for k, v in values.items()
    }


def audited_update(
    obj: models.Model,
    *,
    actor: Any,
    action: str,
    fields: list[str] | None = None,
    **changes: Any,
) -> AuditEntry | None:
    """Set ``changes`` on a saved ``obj``, write only what changed, audit before and after.

    ``fields`` names fields whose new values the caller has already put on ``obj``
    (a back-office form does that); their old values are read from the database.
    Only fields whose value really changes are saved (with the model's ``auto_now``
    timestamps) and appear in the entry's before/after. When nothing changes,
    nothing is written, neither the row nor an audit entry, and None is returned:
    an entry that records no change would only be noise in the log.

    Runs in the caller's transaction; lock ``obj`` first where concurrent writers
    could race for the same fields.
    """
    # A relation is read by its id, so neither snapshot costs a query. Values are
    # compared as they are (a moment is the same moment in any zone), stored as JSON.
    concrete = {f.name: f.attname for f in obj._meta.concrete_fields}
    concrete.update({attname: attname for attname in concrete.values()})
    unknown = [name for name in [*changes, *(fields or [])] if name not in concrete]
    if unknown:
        raise ValueError(f"{type(obj).__name__} has no stored field {unknown[0]!r}")
    attnames = {name: concrete[name] for name in [*changes, *(fields or [])]}
    preset = [name for name in fields or [] if name not in changes]
    before = {name: getattr(obj, attnames[name]) for name in changes}
    if preset:
        row = (
            type(obj)
            ._default_manager.filter(pk=obj.pk)
            .values(*(attnames[name] for name in preset))
            .first()
        ) or {}
        before.update({name: row.get(attnames[name]) for name in preset})
    for name, value in changes.items():
        setattr(obj, name, value)
    after = {name: getattr(obj, attnames[name]) for name in [*changes, *preset]}
    changed = [name for name in after if not _same(before.get(name), after[name])]
    if not changed:
        return None
    stamps = [
        f.name
        for f in obj._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.name not in changed
    ]
    with transaction.atomic():
        obj.save(update_fields=[*changed, *stamps])
        return audit_record(
            actor=actor,
            action=action,
            obj=obj,
            before={name: _jsonable(before.get(name)) for name in changed},
            after={name: _jsonable(after[name]) for name in changed},
        )


def user_create(
    *,
    email: str,
    password: str | None = None,
    full_name: str = "",
    language: str = "en",
    roles: list[str] | None = None,
    actor: Any = None,
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, full_name=full_name, language=language
        )
        for role in roles or []:
            user_role_grant(user=user, role=role, actor=actor)
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            after={"email": user.email, "roles": roles or []},
        )
    return user


def role_groups_sync(*, app_label: str | None = None, using: str = "default") -> None:
    """Make every role's group exist and hold its back-office permissions.

    Runs after each migration (per app, once auth has created that app's permissions)
    and is idempotent: permissions are only added, so one an administrator granted by
    hand in the admin stays.
    """
    groups = {role: Group.objects.using(using).get_or_create(name=role)[0] for role in Role.values}
    permissions = Permission.objects.using(using).select_related("content_type")
    if app_label is not None:
        permissions = permissions.filter(content_type__app_label=app_label)
    staff: list[Permission] = []
    admin: list[Permission] = []
    for permission in permissions:
        app = permission.content_type.app_label
        if app in ADMIN_APPS:
            admin.append(permission)
        per_model = STAFF_MODEL_PERMISSIONS.get(app)
        if per_model is None:
            continue
        model = permission.content_type.model
        allowed = per_model.get(model, per_model.get("*", ()))
        action = permission.codename.split("_", 1)[0]
        if permission.codename == f"{action}_{model}" and action in allowed:
            staff.append(permission)
    groups[Role.NETWORK_STAFF].permissions.add(*staff)
    groups[Role.ADMIN].permissions.add(*admin)


def user_role_grant(*, user: User, role: str, actor: Any = None) -> None:
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    group, _ = Group.objects.get_or_create(name=role)
    with transaction.atomic():
        user.groups.add(group)
        if role in (Role.NETWORK_STAFF, Role.ADMIN) and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        audit_record(actor=actor, action="user.role_grant", obj=user, after={"role": role})
    user.__dict__.pop("_cityexchange_groups", None)


def membership_add(
    *, user: User, organisation: Organisation, role: str = MembershipRole.MEMBER, actor: Any = None
) -> Membership:
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        if created:
            audit_record(
                actor=actor,
                action="membership.add",
                obj=membership,
                after={"user": user.email, "organisation": organisation.slug, "role": role},
            )
    return membership


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str, actor: Any = None) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=_hash_token(raw)
        )
        audit_record(
            actor=actor,
            action="api_token.create",
            obj=token,
            after={"user": user.email, "name": name},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: Any = None) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token)


def api_token_authenticate(*, raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy client should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_update_profile(*, user: User, full_name: str, language: str, timezone_name: str) -> User:
    with transaction.atomic():
        before = snapshot(user, ["full_name", "language", "timezone"])
        user.full_name = full_name
        user.language = language
        user.timezone = timezone_name
        user.save(update_fields=["full_name", "language", "timezone"])
        audit_record(
            actor=user,
            action="user.update_profile",
            obj=user,
            before=before,
            after=snapshot(user, ["full_name", "language", "timezone"]),
        )
    return user


def user_personal_data(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user``, for a data export (GDPR art. 15/20).

    Each app contributes through an optional ``personal_data(user)`` on its AppConfig.
    """
    from django.apps import apps

    data: dict[str, Any] = {
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "language": user.language,
            "timezone": user.timezone,
            "date_joined": _jsonable(user.date_joined),
            "last_login": _jsonable(user.last_login),
            "roles": sorted(user.groups.values_list("name", flat=True)),
        },
        "memberships": [
            {"organisation": m.organisation.name, "role": m.role, "since": _jsonable(m.created_at)}
            for m in user.memberships.select_related("organisation")
        ],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": _jsonable(t.created_at)}
            for t in user.api_tokens.all()
        ],
    }
    for config in apps.get_app_configs():
        contribute = getattr(config, "personal_data", None)
        if contribute is not None:
            data[config.label] = _jsonable(contribute(user))
    return data


def user_erase(*, user: User, actor: Any = None) -> None:
    """Delete a person's account data; what others need (audit, statistics) stays anonymous.

    The row is kept, emptied and deactivated, so audit entries and shared work keep
    a stable, anonymous reference instead of breaking.
    """
    from django.apps import apps

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        for config in apps.get_app_configs():
            erase = getattr(config, "erase_personal_data", None)
            if erase is not None:
                erase(locked)
        locked.memberships.all().delete()
        locked.api_tokens.all().delete()
        locked.groups.clear()
        locked.email = f"erased-{locked.pk}@invalid"
        locked.full_name = ""
        locked.is_active = False
        locked.is_staff = False
        locked.is_superuser = False
        locked.set_unusable_password()
        locked.save(
            update_fields=[
                "email",
                "full_name",
                "is_active",
                "is_staff",
                "is_superuser",
                "password",
            ]
        )
        audit_record(actor=actor or locked, action="user.erase", obj=locked)
