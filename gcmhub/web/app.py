"""The application factory: pages, the open API, static files, errors, and request guards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gcmhub.settings import get_settings
from gcmhub.web import problems

STATIC = Path(__file__).parent / "static"
API_DESCRIPTION = """\
The open API of GCM Hub's knowledge platform: knowledge items, search by words and by meaning
in any UN language, the taxonomy (GCM objectives and actions, guiding principles, thematic
clusters, SDG targets, countries and regions) and automatic tagging.

No account is needed to read. Lists are paged with a keyset cursor (`next`); every list
downloads whole with `format=csv|json|jsonld`. Errors are RFC 9457 problem JSON.
"""
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
}


class Guard:
    """Refuse oversized addresses (414) and bodies (413); add security headers to responses."""

    def __init__(self, app: ASGIApp, max_chars: int, max_body: int):
        self.app = app
        self.max_chars = max_chars
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            refusal = problems.problem(
                413, f"the request body is larger than {self.max_body} bytes", scope["path"][:200]
            )
            await refusal(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            refusal = problems.problem(400, "the address holds a NUL character", None)
            await refusal(scope, receive, send)
            return
        if len(scope["query_string"]) + len(scope["path"]) > self.max_chars:
            refusal = problems.problem(
                414,
                f"the address is longer than {self.max_chars} characters; "
                "send fewer or shorter parameters",
                scope["path"][:200],
            )
            await refusal(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":  # behind a TLS proxy (--proxy-headers)
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Bound the threads that run requests to GCMHUB_WEB_THREADS.

    Python runs one thread at a time (the GIL), and 20 threads taking turns cost more than
    they give: bench/http_load.py measured 175 lexical searches a second with anyio's 40
    threads, 280 with 2.
    """
    anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().web_threads
    yield


def create_app() -> FastAPI:
    """Build the web application on the configured database."""
    from gcmhub import __version__
    from gcmhub.accounts import api as accounts_api
    from gcmhub.accounts import views as accounts_views
    from gcmhub.community import api as community_api
    from gcmhub.community import (
        connection_api,
        connection_views,
        event_api,
        event_views,
        message_api,
        message_views,
        profile_views,
    )
    from gcmhub.community import views as community_views
    from gcmhub.fund import api as fund_api
    from gcmhub.fund import views as fund_views
    from gcmhub.hub import api as hub_api
    from gcmhub.hub import views as hub_views
    from gcmhub.indicators import api as indicators_api
    from gcmhub.indicators import views as indicators_views
    from gcmhub.knowledge import api as knowledge_api
    from gcmhub.knowledge import views as knowledge_views
    from gcmhub.practices import api as practices_api
    from gcmhub.practices import views as practices_views
    from gcmhub.review import api as review_api
    from gcmhub.review import views as review_views
    from gcmhub.taxonomy import api as taxonomy_api
    from gcmhub.taxonomy import views as taxonomy_views
    from gcmhub.web import pages

    app = FastAPI(
        title="GCM Hub API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # the API guide at /api renders the document without outside scripts
        redoc_url=None,
        lifespan=lifespan,
    )
    problems.install(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "OPTIONS"],  # reads only: writes stay same-origin
        allow_headers=["If-None-Match", "Accept", "Accept-Language"],
        expose_headers=["ETag", "Content-Disposition"],
    )
    settings = get_settings()
    app.add_middleware(Guard, max_chars=settings.max_query_chars, max_body=settings.max_body_bytes)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        knowledge_api.router,
        taxonomy_api.router,
        pages.router,
        knowledge_views.router,
        taxonomy_views.router,
        accounts_api.router,
        accounts_views.router,
        hub_api.router,
        hub_views.router,
        practices_api.router,
        practices_views.router,
        fund_api.router,
        indicators_api.router,
        review_api.router,
        community_api.router,
        event_api.router,
        connection_api.router,
        message_api.router,
        fund_views.router,
        indicators_views.router,
        review_views.router,
        community_views.router,
        event_views.router,
        connection_views.router,
        message_views.router,
        profile_views.router,
    ):
        app.include_router(router)
    return app
