"""Account actions: add and disable people, sign in and out, tokens, personal data."""

from __future__ import annotations

from datetime import timedelta

import pycountry
from sqlalchemy import delete, select, update

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import ROLES, ApiToken, AuditEntry, LoginSession, Notification, User
from gcmhub.accounts.passwords import (
    MIN_LENGTH,
    digest,
    hash_password,
    new_password,
    new_secret,
    password_matches,
)
from gcmhub.accounts.schemas import (
    PersonalData,
    TokenCreated,
    TokenPublic,
    TokenRequest,
    UserPublic,
)
from gcmhub.auth import authorize
from gcmhub.context import Actor, Context
from gcmhub.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthorized
from gcmhub.settings import get_settings

SCOPES = ("read", "write")
TOKEN_PREFIX = "gcm_"


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


def _token(token: ApiToken) -> TokenPublic:
    return TokenPublic.model_validate(token, from_attributes=True)


def _countries(codes: list[str]) -> list[str]:
    found = []
    for code in codes:
        country = pycountry.countries.get(alpha_3=code.upper()) or pycountry.countries.get(
            alpha_2=code.upper()
        )
        if country is None:
            raise InvalidInput(f"'{code}' is not an ISO 3166 country code (e.g. MEX or MX)")
        found.append(country.alpha_3)
    return sorted(set(found))


def user_add(
    ctx: Context,
    username: str,
    roles: list[str],
    *,
    countries: list[str] | None = None,
    display_name: str | None = None,
    email: str | None = None,
    organization: str | None = None,
    password: str | None = None,
) -> tuple[UserPublic, str]:
    """Add an account and return it with its password (generated unless given).

    A focal point needs at least one country; personal data (name, email) is optional and
    recorded as given with consent.
    """
    authorize(ctx, "user_add")
    name = username.strip().lower()
    if not name or len(name) > 100 or not all(c.isalnum() or c in "._-@" for c in name):
        raise InvalidInput("a username is 1-100 letters, digits, dots, dashes, @ or underscores")
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise InvalidInput(
            f"unknown role(s) {', '.join(unknown) or '(none)'}; roles: {', '.join(ROLES)}"
        )
    scoped = _countries(countries or [])
    if "focal_point" in roles and not scoped:
        raise InvalidInput("a focal point needs at least one country (--country MEX)")
    if ctx.session.scalar(select(User.id).where(User.username == name)) is not None:
        raise Conflict(f"there is already an account '{name}'")
    secret = password or new_password()
    if len(secret) < MIN_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_LENGTH} characters")
    user = User(
        username=name,
        display_name=display_name,
        email=email,
        organization=organization,
        password_hash=hash_password(secret),
        roles=sorted(set(roles)),
        countries=scoped,
        active=True,
        failed_logins=0,
        consent_at=now() if (display_name or email) else None,
        created_at=now(),
    )
    ctx.session.add(user)
    ctx.session.flush()
    audit_record(ctx, "user_add", f"user:{user.id}", None, _audited(user))
    return _public(user), secret


def _audited(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "roles": user.roles,
        "countries": user.countries,
        "active": user.active,
    }


def user_list(ctx: Context) -> list[UserPublic]:
    """List every account (admins only)."""
    authorize(ctx, "user_list")
    return [_public(u) for u in ctx.session.scalars(select(User).order_by(User.username))]


def _user(ctx: Context, username: str) -> User:
    user = ctx.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no account '{username}'")
    return user


def user_disable(ctx: Context, username: str) -> UserPublic:
    """Disable an account: it can no longer sign in, and its sessions and tokens stop working."""
    authorize(ctx, "user_disable")
    user = _user(ctx, username)
    before = _audited(user)
    user.active = False
    ctx.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    ctx.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    audit_record(ctx, "user_disable", f"user:{user.id}", before, _audited(user))
    return _public(user)


def ensure_admin(ctx: Context) -> str | None:
    """Create the first admin when there is no account; return its password (shown once)."""
    if ctx.session.scalar(select(User.id).limit(1)) is not None:
        return None
    _, password = user_add(ctx, "admin", ["admin"])
    return password


def actor_of(user: User, scopes: frozenset[str] | None = None) -> Actor:
    """Return the actor a signed-in account acts as."""
    return Actor(
        name=user.username,
        roles=frozenset(user.roles),
        user_id=user.id,
        countries=frozenset(user.countries),
        organization=user.organization,
        scopes=scopes,
    )


def login(ctx: Context, username: str, password: str) -> tuple[str, str]:
    """Check a password and open a session; return the session secret and its CSRF token.

    After `GCMHUB_LOGIN_ATTEMPTS` wrong passwords in a row the account is locked for
    `GCMHUB_LOCKOUT_MINUTES`; the refusal never says whether the account exists.
    """
    settings = get_settings()
    refusal = Unauthorized("wrong username or password")
    user = ctx.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        password_matches(_DUMMY, password)  # the same work either way: no timing oracle
        raise refusal
    if user.locked_until is not None and user.locked_until > now():
        wait = int((user.locked_until - now()).total_seconds()) + 1
        raise TooManyRequests("too many wrong passwords; try again later", wait)
    if not password_matches(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.login_attempts:
            user.locked_until = now() + timedelta(minutes=settings.lockout_minutes)
            user.failed_logins = 0
            audit_record(
                ctx, "user_lock", f"user:{user.id}", None, {"locked_until": user.locked_until}
            )
        raise refusal
    user.failed_logins = 0
    user.locked_until = None
    secret, csrf = new_secret(), new_secret()
    ctx.session.add(
        LoginSession(
            id=digest(secret),
            user_id=user.id,
            csrf=csrf,
            created_at=now(),
            expires_at=now() + timedelta(hours=settings.session_hours),
        )
    )
    return secret, csrf


_DUMMY = hash_password(new_password())


def logout(ctx: Context, secret: str) -> None:
    """Close a session; its cookie no longer works."""
    ctx.session.execute(delete(LoginSession).where(LoginSession.id == digest(secret)))


def session_actor(ctx: Context, secret: str) -> tuple[Actor, str] | None:
    """Return the actor of a live session and its CSRF token, or None."""
    found = ctx.session.execute(
        select(User, LoginSession.csrf)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.id == digest(secret), LoginSession.expires_at > now())
    ).first()
    if found is None or not found[0].active:
        return None
    return actor_of(found[0]), found[1]


def token_actor(ctx: Context, token: str) -> Actor:
    """Return the actor of an API token; refuse an unknown, expired or revoked one (401)."""
    prefix = token[: len(TOKEN_PREFIX) + 8]
    row = ctx.session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.prefix == prefix)
    ).first()
    if row is None or row[0].secret_hash != digest(token):
        raise Unauthorized("unknown API token")
    found, user = row
    if found.revoked_at is not None:
        raise Unauthorized("this API token was revoked")
    if found.expires_at <= now():
        raise Unauthorized("this API token has expired")
    if not user.active:
        raise Unauthorized("this account is disabled")
    found.last_used_at = now()
    return actor_of(user, frozenset(found.scopes))


def token_create(ctx: Context, username: str, request: TokenRequest) -> TokenCreated:
    """Make an API token for an account; its secret is returned this once, only its hash kept."""
    user = _user(ctx, username)
    authorize(ctx, "token_create", user.id)
    unknown = [s for s in request.scopes if s not in SCOPES]
    if unknown or not request.scopes:
        raise InvalidInput(
            f"unknown scope(s) {', '.join(unknown) or '(none)'}; scopes: {', '.join(SCOPES)}"
        )
    secret = TOKEN_PREFIX + new_secret()
    token = ApiToken(
        user_id=user.id,
        name=request.name,
        prefix=secret[: len(TOKEN_PREFIX) + 8],
        secret_hash=digest(secret),
        scopes=sorted(set(request.scopes)),
        created_at=now(),
        expires_at=now() + timedelta(days=request.days),
    )
    ctx.session.add(token)
    ctx.session.flush()
    audit_record(
        ctx,
        "token_create",
        f"token:{token.id}",
        None,
        {"user": user.username, "name": token.name, "scopes": token.scopes},
    )
    return TokenCreated(**_token(token).model_dump(), token=secret)


def token_list(ctx: Context, username: str) -> list[TokenPublic]:
    """List an account's tokens (never their secrets)."""
    user = _user(ctx, username)
    authorize(ctx, "personal_data_export", user.id)
    rows = ctx.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return [_token(t) for t in rows]


def token_revoke(ctx: Context, token_id: int) -> TokenPublic:
    """Revoke a token: from now on it is refused."""
    token = ctx.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id}")
    authorize(ctx, "token_revoke", token.user_id)
    if token.revoked_at is None:
        token.revoked_at = now()
        audit_record(
            ctx, "token_revoke", f"token:{token.id}", None, {"revoked_at": token.revoked_at}
        )
    return _token(token)


def personal_data_export(ctx: Context, username: str) -> PersonalData:
    """Return everything held about a person: account, tokens, writes, notices, expert
    profiles, and in the community their messages, follows, organizations and contributions."""
    from gcmhub.community.messages import community_personal_data
    from gcmhub.hub.providers import provider_personal_data

    user = _user(ctx, username)
    authorize(ctx, "personal_data_export", user.id)
    entries = ctx.session.scalars(
        select(AuditEntry).where(AuditEntry.actor == f"user:{user.id}").order_by(AuditEntry.id)
    )
    return PersonalData(
        account=_public(user),
        tokens=token_list(ctx, username),
        audit=[{"at": e.at.isoformat(), "action": e.action, "target": e.target} for e in entries],
        notices=[
            {"at": n.at.isoformat(), "subject": n.subject, "link": n.link}
            for n in ctx.session.scalars(
                select(Notification).where(Notification.user_id == user.id)
            )
        ],
        expert_profiles=provider_personal_data(ctx, user.id),
        community=community_personal_data(ctx, user.id),
    )


def personal_data_delete(ctx: Context, username: str) -> None:
    """Erase a person's personal data: the account is anonymised and can no longer sign in.

    The audit trail names people by account number (`user:7`), so it keeps what was done,
    now shown under the anonymous name, and stays traceable without the person. The row
    stays, so the community's follows and digests are deleted and its messages detached
    explicitly (`community_forget_person`): the other party keeps them, from "a former member".
    """
    user = _user(ctx, username)
    authorize(ctx, "personal_data_delete", user.id)
    anonymous = f"deleted-{user.id}"
    ctx.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    ctx.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    ctx.session.execute(delete(Notification).where(Notification.user_id == user.id))
    from gcmhub.hub.providers import provider_forget_person

    provider_forget_person(ctx, user.id)
    from gcmhub.community.messages import community_forget_person

    community_forget_person(ctx, user.id, anonymous)
    user.username, user.display_name, user.email = anonymous, None, None
    user.organization, user.active, user.consent_at = None, False, None
    user.password_hash = hash_password(new_secret())
    audit_record(ctx, "personal_data_delete", f"user:{user.id}", None, {"username": anonymous})
