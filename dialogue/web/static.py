"""The static files (stylesheet, scripts, icon), read and compressed once when the app starts.

Pages link them as /static/<name>?v=<hash of the content> (core.rendering.static_url). A request
with the current hash may be cached for a year: a new version has a new address. Any other request
(no hash, an old one) gets the current file with an ETag, to be checked again each time. Gzip is
done once here, not per request by the compression middleware, which skips /static/.
"""

from __future__ import annotations

import gzip
import mimetypes
from dataclasses import dataclass

from litestar import Request, route
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from dialogue.core.rendering import STATIC_DIR, static_digest

FOREVER = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None  # None when gzip would not make it smaller
    media_type: str
    digest: str


def _load() -> dict[str, Asset]:
    assets = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            body = path.read_bytes()
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type in ("application/javascript", "image/svg+xml"):  # Litestar adds it to text/* itself
                media_type += "; charset=utf-8"
            assets[path.name] = Asset(body, packed if len(packed) < len(body) else None, media_type,
                                      static_digest(path.name))
    return assets


ASSETS = _load()


@route("/static/{name:str}", http_method=["GET", "HEAD"], name="static", include_in_schema=False,
       exclude_from_csrf=True)
async def static_file(request: Request, name: FromPath[str]) -> Response[bytes]:
    asset = ASSETS.get(name)
    if asset is None:
        raise NotFoundException()
    etag = f'"{asset.digest}"'
    headers = {"etag": etag, "vary": "accept-encoding",
               "cache-control": FOREVER if request.query_params.get("v") == asset.digest else REVALIDATE}
    if etag in request.headers.get("if-none-match", ""):
        return Response(b"", status_code=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["content-encoding"] = asset.gzipped, "gzip"
    # HEAD: Litestar sends the headers of this body (its length included) and not the body itself.
    return Response(body, media_type=asset.media_type, headers=headers)
