"""``GET /privacy/exports/<token>``: the short-lived download of a subject-access archive.

The link is the credential (a capability URL): its token is 128 random bits from the database
(``app.store_export``), stored only as its SHA-256, and valid until the export's expiry
(``PRIVACY_EXPORT_TTL_SECONDS``, default 10 minutes). Each download is audited by
``app.take_export``. Responses are never cached. The reports helper's ``/exports/<token>``
route had not landed when this was written, hence a path of its own.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import sql
from gateway.db import Database

_TOKEN = re.compile(r"^[0-9a-f]{64}$")


def export_download_route(db: Database) -> Route:
    async def download(request: Request) -> Response:
        token = str(request.path_params["token"])
        row = None
        if _TOKEN.match(token):
            async with db.pool.acquire() as conn:
                row = await conn.fetchrow(sql.load("privacy_take_export"), token)
        if row is None:
            return JSONResponse(
                {"error": "unknown or expired export link"},
                status_code=404,
                headers={"Cache-Control": "no-store"},
            )
        return Response(
            bytes(row["archive"]),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="customer-{row["customer_id"]}.zip"',
                "Cache-Control": "no-store",
                "X-Content-SHA256": str(row["sha256"]),
            },
        )

    return Route("/privacy/exports/{token}", download, methods=["GET"])
