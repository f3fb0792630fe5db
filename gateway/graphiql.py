"""Self-hosted GraphiQL: the HTML page, its same-origin assets and browser detection.

The GraphiQL page loads its JavaScript and CSS only from ``/graphiql/assets/...`` on the
gateway itself (no CDN). Those files live in ``gateway/static/vendor/`` (gitignored), which
is filled at install time by::

    cd assets && npm ci --no-audit --no-fund && python3 build.py

(``make assets``). If they are missing the page is a 503 HTML message saying so.

Contracts:

* :func:`wants_graphiql` -- ``True`` only for ``GET`` requests whose ``Accept`` header
  prefers ``text/html`` over JSON (i.e. a browser navigating to the endpoint).
* :func:`graphiql_response` -- the page (200) or the "run ``make assets``" page (503).
  The page enables the header editor with the hint ``{"Authorization": "Bearer "}``,
  persists headers in the browser's localStorage, and builds its fetcher with
  ``GraphiQL.createFetcher({url, wsClient})``, where ``wsClient`` is a ``graphql-ws``
  client (``graphqlWs.createClient``) made per run for the URL
  ``ws(s)://<location.host><subscriptions_endpoint>`` (computed in the browser). The header
  editor's headers are sent with every HTTP request and, for subscriptions, as the
  graphql-ws ``connection_init`` payload (``{"Authorization": "Bearer <jwt>", ...}``).
  An ``Authorization`` header without a token is not sent at all. A connection refused with
  close code 4403 (bad or expired token) is not retried: the result pane shows
  ``Socket closed with event 4403 <reason>`` at once; other closes are retried.
* :func:`graphiql_asset_routes` -- a ``Mount`` at ``/graphiql/assets`` serving the vendor
  folder; it may be created before the folder exists (``check_dir=False``).
"""

from __future__ import annotations

import json
import os
import secrets
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = [
    "ASSETS_PATH",
    "REQUIRED_ASSETS",
    "VENDOR_DIR",
    "graphiql_asset_routes",
    "graphiql_response",
    "wants_graphiql",
]

STATIC_DIR: Final = Path(__file__).parent / "static"
#: Folder the Mount serves; filled by ``assets/build.py``; never committed.
VENDOR_DIR: Final = STATIC_DIR / "vendor"
#: URL prefix of the vendor folder.
ASSETS_PATH: Final = "/graphiql/assets"
#: Files the page needs; the page is only served (200) when all of them exist.
REQUIRED_ASSETS: Final = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "graphiql.min.css",
    "graphql-ws.min.js",
)
#: Initial content of GraphiQL's header editor (used until the user edits it).
DEFAULT_HEADERS: Final = '{\n  "Authorization": "Bearer "\n}'

_ASSET_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
_JSON_MEDIA_TYPES: Final = ("application/json", "application/graphql-response+json")


# --------------------------------------------------------------------------- detection


def _parse_accept(header: str) -> list[tuple[str, str, float]]:
    """Parse an ``Accept`` header into ``(type, subtype, q)`` triples, in header order.

    Malformed entries are skipped; a malformed ``q`` counts as ``0``.
    """
    ranges: list[tuple[str, str, float]] = []
    for raw in header.split(","):
        media, *params = (part.strip() for part in raw.split(";"))
        if "/" not in media:
            continue
        main, sub = (piece.strip().lower() for piece in media.split("/", 1))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append((main, sub, q))
    return ranges


def _quality(ranges: list[tuple[str, str, float]], media_type: str) -> tuple[float, int, int]:
    """Return ``(q, specificity, position)`` of the most specific range matching *media_type*.

    Specificity is 2 for an exact match, 1 for ``type/*``, 0 for ``*/*``; ``(0.0, -1, -1)``
    when nothing matches.
    """
    main, sub = media_type.split("/", 1)
    best = (0.0, -1, -1)
    for position, (r_main, r_sub, q) in enumerate(ranges):
        if (r_main, r_sub) == (main, sub):
            specificity = 2
        elif r_main == main and r_sub == "*":
            specificity = 1
        elif (r_main, r_sub) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best[1]:
            best = (q, specificity, position)
    return best


def wants_graphiql(request: Request) -> bool:
    """Return whether *request* is a browser asking for the GraphiQL page.

    ``True`` iff the method is ``GET`` and the ``Accept`` header names ``text/html``
    explicitly (not just via ``*/*``) with a quality higher than every JSON media type
    (``application/json``, ``application/graphql-response+json``), or with an equal quality
    and listed before them. So browsers (``text/html,...,*/*;q=0.8``) get ``True``;
    ``curl`` (``*/*``), GraphQL clients (``application/json``,
    ``application/graphql-response+json``) and requests without ``Accept`` get ``False``.
    """
    if request.method != "GET":
        return False
    ranges = _parse_accept(request.headers.get("accept", ""))
    html_q, html_specificity, html_position = _quality(ranges, "text/html")
    if html_specificity != 2 or html_q <= 0.0:
        return False
    for media_type in _JSON_MEDIA_TYPES:
        json_q, json_specificity, json_position = _quality(ranges, media_type)
        if json_q > html_q:
            return False
        if json_q == html_q and json_specificity == 2 and json_position < html_position:
            return False
    return True


# --------------------------------------------------------------------------- page


@lru_cache(maxsize=1)
def _template() -> str:
    return (STATIC_DIR / "graphiql.html").read_text(encoding="utf-8")


def _asset_versions() -> dict[str, str] | None:
    """Return ``{file name: cache-busting token}`` or ``None`` if an asset is missing."""
    if not all((VENDOR_DIR / name).is_file() for name in REQUIRED_ASSETS):
        return None
    files: dict[str, str] = {}
    try:
        manifest = json.loads((VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
        raw = manifest.get("files", {}) if isinstance(manifest, dict) else {}
        if isinstance(raw, dict):
            files = {str(k): str(v) for k, v in raw.items()}
    except (OSError, ValueError):
        pass
    versions: dict[str, str] = {}
    for name in REQUIRED_ASSETS:
        token = files.get(name)
        if token is None:  # no manifest: fall back to size+mtime
            stat = (VENDOR_DIR / name).stat()
            token = f"{stat.st_size:x}-{stat.st_mtime_ns:x}"
        versions[name] = token
    return versions


def _json_for_script(value: object) -> str:
    """Serialise *value* as JSON that is safe inside a ``<script>`` element."""
    return (
        json.dumps(value)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _content_security_policy(nonce: str, subscriptions_endpoint: str) -> str:
    """CSP that confines the page to same-origin resources (plus an absolute ws URL)."""
    connect = "'self'"
    if subscriptions_endpoint.lower().startswith(("ws://", "wss://")):
        connect += " " + subscriptions_endpoint
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src {connect}",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


_MISSING_ASSETS_PAGE: Final = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>GraphiQL assets not installed</title></head>
<body style="font: 15px system-ui, sans-serif; max-width: 46rem; margin: 3rem auto;">
<h1>GraphiQL is not installed on this gateway</h1>
<p>The GraphiQL browser assets are missing from <code>{vendor}</code>.</p>
<p>Operator: run <code>make assets</code> in the gateway checkout (it runs
<code>npm ci</code> in <code>assets/</code> and copies the bundles into place), then reload
this page. No restart is needed.</p>
<p>The GraphQL API itself at <code>{endpoint}</code> works regardless; only this in-browser
IDE is unavailable.</p>
</body>
</html>
"""


def graphiql_response(
    *, endpoint: str = "/graphql", subscriptions_endpoint: str | None = None
) -> HTMLResponse:
    """Return the GraphiQL page for the GraphQL API at *endpoint*.

    *endpoint* is the HTTP path (or URL) the page POSTs queries to.
    *subscriptions_endpoint* is a path, resolved in the browser to
    ``ws(s)://<location.host><path>`` (``wss`` when the page is served over https), or an
    absolute ``ws://``/``wss://`` URL used as-is; it defaults to *endpoint*.

    Returns 200 with the page, which references only ``/graphiql/assets/...`` and carries a
    nonce-based ``Content-Security-Policy`` limiting it to same-origin resources; or 503
    with an HTML message telling the operator to run ``make assets`` when any of
    :data:`REQUIRED_ASSETS` is missing from :data:`VENDOR_DIR`. Never cached by clients.
    """
    ws_endpoint = endpoint if subscriptions_endpoint is None else subscriptions_endpoint
    no_store = {"Cache-Control": "no-store"}
    versions = _asset_versions()
    if versions is None:
        body = _MISSING_ASSETS_PAGE.format(
            vendor=escape(str(VENDOR_DIR)), endpoint=escape(endpoint)
        )
        return HTMLResponse(body, status_code=503, headers=no_store)

    nonce = secrets.token_urlsafe(18)
    config = {
        "endpoint": endpoint,
        "subscriptionsEndpoint": ws_endpoint,
        "defaultHeaders": DEFAULT_HEADERS,
    }

    def src(name: str) -> str:
        return escape(f"{ASSETS_PATH}/{name}?v={versions[name]}", quote=True)

    replacements = {
        "%%NONCE%%": nonce,
        "%%CSS_HREF%%": src("graphiql.min.css"),
        "%%REACT_SRC%%": src("react.production.min.js"),
        "%%REACT_DOM_SRC%%": src("react-dom.production.min.js"),
        "%%GRAPHIQL_SRC%%": src("graphiql.min.js"),
        "%%GRAPHQL_WS_SRC%%": src("graphql-ws.min.js"),
        "%%CONFIG_JSON%%": _json_for_script(config),
    }
    page = _template()
    for placeholder, value in replacements.items():
        page = page.replace(placeholder, value)
    headers = {
        **no_store,
        "Content-Security-Policy": _content_security_policy(nonce, ws_endpoint),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return HTMLResponse(page, headers=headers)


# --------------------------------------------------------------------------- assets


class _VendorFiles(StaticFiles):
    """``StaticFiles`` that marks successful responses as long-lived and immutable.

    Safe because the page always references assets with a content-hash ``?v=`` token.
    """

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = _ASSET_CACHE_CONTROL
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def graphiql_asset_routes() -> list[BaseRoute]:
    """Return the routes serving the vendor folder at ``/graphiql/assets``.

    One ``Mount`` named ``graphiql-assets`` over :data:`VENDOR_DIR` with
    ``check_dir=False``, so the app starts (and the page can report 503) before
    ``make assets`` has run. Files are served with ``Cache-Control: public,
    max-age=31536000, immutable``; missing files are 404.
    """
    return [
        Mount(
            ASSETS_PATH,
            app=_VendorFiles(directory=VENDOR_DIR, check_dir=False),
            name="graphiql-assets",
        )
    ]
