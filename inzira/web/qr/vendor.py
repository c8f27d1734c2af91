"""The browser-side QR decoder: jsQR, installed from npm by the build (``package.json``, ``make``), served
from ``node_modules`` at a stable URL of this site. Nothing is fetched from a CDN.

When ``node_modules`` is missing (an install without the npm step), the pages still work: the wallet page
sends an uploaded picture to the server to be read, takes a pasted payload, and says that the camera
scanner is unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, Response

REPO_ROOT = Path(__file__).resolve().parents[3]  # an editable install: the package sits in the checkout
JSQR_FILE = REPO_ROOT / "node_modules" / "jsqr" / "dist" / "jsQR.js"
DECODER_URL = "/qr/vendor/jsqr.js"
CACHE = {"Cache-Control": "public, max-age=3600"}


@dataclass
class DecoderFile:
    path: Path = JSQR_FILE
    url: str = DECODER_URL

    @property
    def available(self) -> bool:
        """Checked at each page: installing node_modules while the server runs brings the scanner back."""
        return self.path.is_file()


def vendor_router(decoder: DecoderFile) -> APIRouter:
    router = APIRouter()

    @router.get(DECODER_URL, include_in_schema=False)
    def decoder_script() -> Response:
        if not decoder.available:
            return Response("// the QR decoder is not installed (run `make install`)\n", 404,
                            media_type="text/javascript")
        return FileResponse(decoder.path, media_type="text/javascript", headers=CACHE)

    return router
