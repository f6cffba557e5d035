"""Opening GCM Hub for work: the schema upgraded and the built-in taxonomy loaded, once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from gcmhub.context import SYSTEM, Actor, Context
from gcmhub.db import session_scope
from gcmhub.settings import get_settings

_ready: set[str] = set()


@contextmanager
def open_context(actor: Actor = SYSTEM) -> Iterator[Context]:
    """Yield a context in one transaction, preparing the database on first use."""
    from gcmhub.taxonomy.actions import taxonomy_ensure_builtin

    url = get_settings().url
    if url not in _ready:
        with session_scope(url) as session:
            taxonomy_ensure_builtin(Context(session, SYSTEM))
        _ready.add(url)
    with session_scope(url) as session:
        ctx = Context(session, actor)
        yield ctx
    if ctx.outbox:  # committed: now the notices may leave
        from gcmhub.mail import mail_send

        mail_send(ctx.outbox)


def reset() -> None:
    """Forget prepared databases and close engines (tests switch databases)."""
    from gcmhub.db import dispose_all
    from gcmhub.knowledge.semantic import forget_vectors
    from gcmhub.settings import get_settings

    _ready.clear()
    forget_vectors()
    dispose_all()
    get_settings.cache_clear()
