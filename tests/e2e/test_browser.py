"""The simulator page in headless Chromium, against the real `serve` command:
a dealer registers a ¥1,200,000 deal, the director approves it from the card,
the card turns into a stamp and the dealer sees the notification; a field rep
sends photos from a visit. One server serves the whole module."""
from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from tests.support.apps import serve_demo

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed (scripts/services.sh installs it)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from serve_demo(tmp_path_factory.mktemp("browser"))


@needs_chromium
def test_dealer_registers_and_director_approves_in_the_browser(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 850})
        page.set_default_timeout(15000)
        page.goto(served + "/sim/")

        page.get_by_test_id("user-select").select_option("dealer_bj_li")
        page.get_by_test_id("message-input").fill("报备 北京协和医院 心内科 彩超 120万 明年3月")
        page.get_by_test_id("send-button").click()
        expect(page.get_by_test_id("bot-message").last).to_contain_text("等待销售总监审批")

        page.get_by_test_id("user-select").select_option("director")
        card = page.get_by_test_id("card").last
        expect(card).to_contain_text("商机报备审批")
        expect(card).to_contain_text("¥120万")
        card.locator("[data-testid=card-button][data-key=approve]").click()
        expect(page.get_by_test_id("card-stamp").last).to_contain_text("已同意 · 张伟")
        page.screenshot(path=str(tmp_path / "director.png"))

        page.get_by_test_id("user-select").select_option("dealer_bj_li")
        expect(page.get_by_test_id("bot-message").last).to_contain_text("已由张伟审批通过")
        shot = os.environ.get("QUDAO_SCREENSHOT")
        if shot:
            page.screenshot(path=shot)
        browser.close()


def _photo_png(noise: int) -> bytes:
    """A valid 64×48 PNG padded with a noise chunk: a photo-sized upload."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([30, 120, 220]) * 64 for _ in range(48))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 48, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"tEXt", b"noise\x00" + os.urandom(noise))
            + chunk(b"IEND", b""))


@needs_chromium
def test_field_rep_sends_photos_in_the_browser(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    photo = tmp_path / "门店.png"
    photo.write_bytes(_photo_png(300_000))     # well over the bot's 64 KB body cap
    loaded = "img => img.complete && img.naturalWidth > 0"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 850})
        page.set_default_timeout(15000)
        page.goto(served + "/sim/")
        page.get_by_test_id("user-select").select_option("rep_zhang")

        page.get_by_test_id("photo-input").set_input_files(str(photo))
        first = page.get_by_test_id("user-message").last
        expect(first).to_contain_text("已送达")
        page.wait_for_function(loaded, arg=first.get_by_test_id("message-image").element_handle())

        page.get_by_test_id("photo-sample").click()
        expect(page.get_by_test_id("user-message")).to_have_count(2)
        sample = page.get_by_test_id("user-message").last
        expect(sample).to_contain_text("已送达")
        thumb = sample.get_by_test_id("message-image")
        page.wait_for_function(loaded, arg=thumb.element_handle())
        thumb.click()
        viewer = page.get_by_test_id("image-viewer")
        expect(viewer).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth === 640",
                               arg=viewer.locator("img").element_handle())
        page.keyboard.press("Escape")
        expect(viewer).to_be_hidden()
        browser.close()


@needs_chromium
def test_dingtalk_group_approval_in_the_browser(served, tmp_path):
    """The issue's Done-when: DingTalk, the group 北京康健 × 示例医疗, a ¥1,200,000 deal from
    dealer_bj_li; the card in the group; dealer_bj_wang's tap refused privately; the
    director approves in the group and the stamp is there for everyone."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 850})
        page.set_default_timeout(15000)
        page.goto(served + "/sim/")
        page.get_by_test_id("platform-dingtalk").click()
        expect(page.get_by_test_id("platform-dingtalk")).to_have_class("ghost on")
        page.locator("[data-testid=group-item][data-chat-id=grp_bj_kangjian]").click()
        page.get_by_test_id("speaker-select").select_option("dealer_bj_li")
        page.get_by_test_id("mention-bot").click()
        page.get_by_test_id("message-input").type("报备 北京大学第一医院 彩超 120万")
        page.get_by_test_id("send-button").click()

        card = page.get_by_test_id("card").last
        expect(card).to_contain_text("商机报备审批")
        expect(card).to_contain_text("¥120万")
        expect(page.get_by_test_id("bot-message").first).to_contain_text("@李明")
        expect(page.get_by_test_id("bot-message").first).to_contain_text("等待销售总监审批")

        page.get_by_test_id("speaker-select").select_option("dealer_bj_wang")
        card.locator("[data-testid=card-button][data-key=approve]").click()
        expect(page.get_by_test_id("status")).to_contain_text("王芳 点击了「同意」")
        expect(card.locator("[data-testid=card-button]")).to_have_count(2)      # nothing changed in the group

        page.get_by_test_id("user-select").select_option("dealer_bj_wang")         # her chat with the robot
        expect(page.get_by_test_id("bot-message").last).to_contain_text("只有 张伟 可以审批")

        page.locator("[data-testid=group-item][data-chat-id=grp_bj_kangjian]").click()
        page.get_by_test_id("speaker-select").select_option("director")
        page.get_by_test_id("card").last.locator("[data-testid=card-button][data-key=approve]").click()
        expect(page.get_by_test_id("card-stamp").last).to_contain_text("已同意 · 张伟")
        page.get_by_test_id("speaker-select").select_option("dealer_bj_wang")   # everyone sees the stamp
        expect(page.get_by_test_id("card-stamp").last).to_contain_text("已同意 · 张伟")
        page.screenshot(path=str(tmp_path / "dingtalk-group.png"))
        shot = os.environ.get("QUDAO_SCREENSHOT_DINGTALK")
        if shot:
            page.screenshot(path=shot)
        browser.close()


@needs_chromium
def test_wecom_group_request_reaches_the_director_and_the_decision_the_group(served):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 850})
        page.set_default_timeout(15000)
        page.goto(served + "/sim/")
        page.get_by_test_id("platform-wecom").click()
        page.locator("[data-testid=group-item][data-chat-id=grp_bj_kangjian]").click()
        page.get_by_test_id("speaker-select").select_option("dealer_bj_li")
        page.get_by_test_id("message-input").fill("@渠道助手 报备 首都医科大学附属北京朝阳医院 彩超 150万")
        page.get_by_test_id("send-button").click()
        expect(page.get_by_test_id("bot-message").last).to_contain_text("审批卡已发给 张伟")
        expect(page.get_by_test_id("card")).to_have_count(0)                       # no card in a WeCom group

        page.get_by_test_id("user-select").select_option("director")
        card = page.get_by_test_id("card").last
        expect(card).to_contain_text("北京朝阳医院")
        expect(card).to_contain_text("北京康健 × 示例医疗")
        card.locator("[data-testid=card-button][data-key=approve]").click()
        expect(page.get_by_test_id("card-stamp").last).to_contain_text("已同意 · 张伟")

        page.locator("[data-testid=group-item][data-chat-id=grp_bj_kangjian]").click()
        expect(page.get_by_test_id("bot-message").last).to_contain_text("已同意 · 张伟")
        browser.close()


@needs_chromium
def test_dingtalk_checkin_through_the_page_in_the_browser(served):
    """A DingTalk robot gets no locations: 签到 brings a link to the bot's page, the page
    posts a position (a preset here, outside DingTalk), the check-in lands in the chat."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1200, "height": 850})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(served + "/sim/")
        page.get_by_test_id("platform-dingtalk").click()
        expect(page.get_by_test_id("platform-dingtalk")).to_have_class("ghost on")
        page.get_by_test_id("user-select").select_option("rep_zhang")
        page.get_by_test_id("message-input").fill("签到 北京协和医院")
        page.get_by_test_id("send-button").click()
        link = page.get_by_test_id("bot-message").last.get_by_role("link", name="签到页")
        expect(link).to_be_visible()
        with context.expect_page() as opened:
            link.click()
        checkin = opened.value
        expect(checkin.get_by_test_id("checkin-who")).to_have_text("张勇")
        checkin.get_by_test_id("checkin-preset").first.click()
        expect(checkin.get_by_test_id("checkin-status")).to_contain_text("位置已发送")
        expect(page.get_by_test_id("bot-message").last).to_contain_text("已在 北京协和医院 签到")
        browser.close()
