"""Who may manage accounts and read the audit trail."""

from __future__ import annotations

from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor


@rule("user_add", "admins add accounts")
def user_add(actor: Actor, target: Any) -> bool:
    return actor.has("admin")


@rule("user_disable", "admins disable accounts")
def user_disable(actor: Actor, target: Any) -> bool:
    return actor.has("admin")


@rule("user_list", "admins list accounts", scope="read")
def user_list(actor: Actor, target: Any) -> bool:
    return actor.has("admin")


def _self_or_admin(actor: Actor, user_id: Any) -> bool:
    return actor.has("admin") or (actor.user_id is not None and actor.user_id == user_id)


@rule("token_create", "people make tokens for themselves")
def token_create(actor: Actor, user_id: Any) -> bool:
    return _self_or_admin(actor, user_id)


@rule("token_revoke", "people revoke their own tokens")
def token_revoke(actor: Actor, user_id: Any) -> bool:
    return _self_or_admin(actor, user_id)


@rule("personal_data_export", "people export their own data", scope="read")
def personal_data_export(actor: Actor, user_id: Any) -> bool:
    return _self_or_admin(actor, user_id)


@rule("personal_data_delete", "people delete their own data")
def personal_data_delete(actor: Actor, user_id: Any) -> bool:
    return _self_or_admin(actor, user_id)


@rule("audit_read", "curators read the audit trail", scope="read")
def audit_read(actor: Actor, target: Any) -> bool:
    return actor.has("curator")
