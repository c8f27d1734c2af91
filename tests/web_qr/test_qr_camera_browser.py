"""The wallet's camera scanner in a real browser: Chromium's fake camera plays a video of a bill's QR code
(frames made here from the API's PNG), jsQR reads it from the camera frames; and where no camera may be
used, the page says so politely and keeps the other two ways open."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from tests.browser import chromium, new_context

WAIT_MS = 15_000
FRAME_PX = (640, 480)
QR_SIDE_PX = 420
FRAMES = 30  # the fake camera loops over the file
PHONE = {"width": 390, "height": 844}


def camera_video(png: bytes, path: Path) -> Path:
    """A Motion-JPEG file (JPEG frames back to back) showing the QR code, as Chromium's fake camera reads."""
    qr = Image.open(io.BytesIO(png)).convert("RGB")
    qr.thumbnail((QR_SIDE_PX, QR_SIDE_PX))
    frame = Image.new("RGB", FRAME_PX, "white")
    frame.paste(qr, ((FRAME_PX[0] - qr.width) // 2, (FRAME_PX[1] - qr.height) // 2))
    jpeg = io.BytesIO()
    frame.save(jpeg, "JPEG", quality=90)
    path.write_bytes(jpeg.getvalue() * FRAMES)
    return path


@pytest.fixture(scope="module")
def filmed_bill(api, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    bill = api.bill(4_200, bill_number="CAMERA-1")
    return bill, camera_video(api.bill_png(bill["bill_id"]), tmp_path_factory.mktemp("camera") / "qr.mjpeg")


@pytest.fixture(scope="module")
def camera_browser(filmed_bill: tuple[dict[str, Any], Path]) -> Iterator[Browser]:
    fake_camera = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                   f"--use-file-for-fake-video-capture={filmed_bill[1]}"]
    with chromium(*fake_camera) as launched:
        yield launched


def open_pay(browser: Browser, base_url: str, holder: str, camera: bool) -> Page:
    context = new_context(browser, base_url, WAIT_MS, viewport=PHONE, is_mobile=True, has_touch=True)
    if camera:
        context.grant_permissions(["camera"])
    page = context.new_page()
    page.goto("/qr/wallet/sign-in")
    page.get_by_role("button", name=f"Sign in as {holder}").click()
    page.wait_for_url("**/qr/wallet")
    page.goto("/qr/wallet/pay")
    return page


def test_the_camera_reads_the_bill(camera_browser: Browser, base_url: str, customers, filmed_bill) -> None:
    page = open_pay(camera_browser, base_url, customers.wallet_holder, camera=True)
    try:
        page.get_by_role("button", name="Start the camera").click()
        page.locator("[data-quote]").wait_for()
        assert page.locator("[data-source]").inner_text() == "QR code read by your browser from the camera."
        assert page.locator('[data-field="price"]').inner_text() == "4,200 RWF"
        assert page.locator('[data-field="bill"]').inner_text() == filmed_bill[0]["bill_number"]
    finally:
        page.context.close()


def test_a_declined_camera_is_met_politely(camera_browser: Browser, base_url: str, customers) -> None:
    page = open_pay(camera_browser, base_url, customers.wallet_holder, camera=False)
    try:
        # The visitor says no at the browser's prompt: getUserMedia rejects with NotAllowedError.
        page.evaluate("() => { navigator.mediaDevices.getUserMedia = () => "
                      "Promise.reject(new DOMException('Permission denied', 'NotAllowedError')); }")
        page.get_by_role("button", name="Start the camera").click()
        message = page.locator("[data-camera-message]")
        assert message.inner_text() == ("The camera was not allowed. That is fine: upload a picture or paste the "
                                        "code instead.")
        assert page.get_by_role("button", name="Start the camera").is_enabled()
        assert page.locator("[data-camera-video]").is_hidden()
        assert page.get_by_label("A photo or screenshot of the QR code").is_enabled()
        assert page.get_by_label("The QR code's text (it starts with 000201)").is_enabled()
    finally:
        page.context.close()
