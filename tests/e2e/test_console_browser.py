"""The ops console in headless Chromium against the real `serve` command, next
to the chat simulator: sign in with a one-time link, see the simulator's
registrations on the board, change the open-registration quota to 1, see the
what-if list the registrations it would have refused, activate it and see the
next registration refused; decide an approval on the page and see the stamp on
the card in the simulator; upload an import and watch its progress. One server
serves the module, and the tests run in this order."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, needs_chromium
from tests.support.apps import serve_demo

pytestmark = pytest.mark.browser
numbers: dict[str, str] = {}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    env: dict = {}
    for base in serve_demo(tmp_path_factory.mktemp("console"), env_out=env):
        yield base, env


def sign_in_link(env: dict, userid: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot", "console-login", userid], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def say(page, user: str, text: str, *expected: str) -> str:
    """Send as ``user``; the bot's reply (its last message) once it says all of ``expected``."""
    from playwright.sync_api import expect
    page.get_by_test_id("user-select").select_option(user)
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("send-button").click()
    reply = page.get_by_test_id("bot-message").last
    for words in expected:
        expect(reply).to_contain_text(words)
    return reply.inner_text()


@needs_chromium
def test_quota_change_with_what_if_then_activated(served, browser):
    from playwright.sync_api import expect
    base, env = served
    sim = browser.new_page(viewport={"width": 1200, "height": 850})
    sim.set_default_timeout(15000)
    sim.goto(base + "/sim/")
    for customer, text, reply in (("北京协和医院", "报备 北京协和医院 彩超 80万", "报备成功"),
                                  ("北京大学第一医院", "报备 北京大学第一医院 监护 30万", "报备成功"),
                                  ("北京朝阳医院", "报备 首都医科大学附属北京朝阳医院 彩超 120万", "等待销售总监审批")):
        numbers[customer] = re.search(r"RG\d{8}-\d{4}", say(sim, "dealer_bj_li", text, reply, customer)).group(0)

    console = browser.new_page(viewport={"width": 1300, "height": 900})
    console.set_default_timeout(15000)
    console.goto(sign_in_link(env, "admin"))
    expect(console.get_by_test_id("viewer")).to_contain_text("管理员")
    board = console.get_by_test_id("registrations")
    for number in numbers.values():
        expect(board).to_contain_text(number)

    console.get_by_test_id("nav-rules").click()
    console.get_by_test_id("edit-rules").click()
    editor = console.get_by_test_id("rules-yaml")
    editor.fill(editor.input_value().replace("open_quota: 100", "open_quota: 1"))
    console.get_by_test_id("save-draft").click()
    expect(console.get_by_test_id("diff")).to_contain_text("+  open_quota: 1")
    console.get_by_test_id("run-whatif").click()
    summary = console.get_by_test_id("whatif-summary")
    expect(summary).to_contain_text("个报备将因报备数量上限被拒")
    cases = console.get_by_test_id("whatif-case")
    expect(cases).to_have_count(2)
    expect(console.get_by_test_id("whatif")).to_contain_text(numbers["北京大学第一医院"])
    expect(console.get_by_test_id("whatif")).to_contain_text(numbers["北京朝阳医院"])
    expect(console.get_by_test_id("whatif")).not_to_contain_text(numbers["北京协和医院"])
    console.get_by_test_id("activate").click()
    expect(console.get_by_test_id("flash-ok")).to_contain_text("已生效")
    expect(console.get_by_test_id("rule-registration.open_quota")).to_have_text("1")

    say(sim, "dealer_bj_li", "报备 北京天坛医院 彩超 50万", "报备未通过", "达到上限 1 个")


@needs_chromium
def test_approval_decided_on_the_page_stamps_the_card_in_the_simulator(served, browser):
    from playwright.sync_api import expect
    base, env = served
    number = numbers["北京朝阳医院"]
    console = browser.new_page(viewport={"width": 1300, "height": 900})
    console.set_default_timeout(15000)
    console.goto(sign_in_link(env, "director"))
    console.get_by_test_id("nav-approvals").click()
    row = console.locator(f"[data-testid=approval-row][data-ref='{number}']")
    expect(row.get_by_test_id("sla")).to_contain_text("按时")
    row.get_by_test_id("approve").click()
    expect(console.get_by_test_id("flash-bot")).to_contain_text(f"已同意报备 {number}")

    sim = browser.new_page(viewport={"width": 1200, "height": 850})
    sim.set_default_timeout(15000)
    sim.goto(base + "/sim/")
    sim.get_by_test_id("user-select").select_option("director")
    expect(sim.get_by_test_id("card-stamp").last).to_contain_text("已同意 · 张伟")
    sim.get_by_test_id("user-select").select_option("dealer_bj_li")
    expect(sim.get_by_test_id("bot-message").last).to_contain_text("已由张伟审批通过")


def customers_csv(path, rows: int) -> None:
    lines = ["客户名称,地址"]
    for i in range(rows):
        lines.append(f"测试客户{i:05d}医院,北京市海淀区中关村大街{i}号" if i % 997 else f",北京市海淀区第{i}号")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@needs_chromium
def test_import_upload_shows_its_progress_then_the_report(served, browser, tmp_path):
    from playwright.sync_api import expect
    base, env = served
    upload = tmp_path / "customers.csv"
    customers_csv(upload, 4000)
    console = browser.new_page(viewport={"width": 1300, "height": 900})
    console.set_default_timeout(60000)
    seen: list[dict] = []
    console.on("response", lambda r: seen.append(r.json()) if r.url.endswith("/progress.json") else None)
    console.goto(sign_in_link(env, "admin"))
    console.goto(base + "/console/imports")
    console.get_by_test_id("import-kind").select_option("customers")
    console.get_by_test_id("import-file").set_input_files(str(upload))
    console.get_by_test_id("import-check").click()
    expect(console.get_by_test_id("progress")).to_be_visible()
    expect(console.get_by_test_id("job-status")).to_contain_text("完成", timeout=60000)
    expect(console.get_by_test_id("progress")).to_have_attribute("data-percent", "100")
    assert seen and seen[-1]["finished"] and seen[-1]["percent"] == 100
    percents = [p["percent"] for p in seen]
    assert percents == sorted(percents)
    bad = console.get_by_test_id("bad-row")
    expect(bad).to_have_count(5)                       # data rows 0, 997, … have no name
    expect(bad.first).to_contain_text("2")             # the spreadsheet's row 2 (under the header)
    console.get_by_test_id("import-confirm").click()
    expect(console.get_by_test_id("job-status")).to_contain_text("完成", timeout=60000)
    expect(console.get_by_test_id("import-counts")).to_contain_text("3995")
