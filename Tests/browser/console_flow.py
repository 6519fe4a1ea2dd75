#!/usr/bin/env python3
"""Real-browser test of the staff console ([console]): headless Chromium driven by selenium.

Starts `hotline demo` on a fresh SQLite file, then logs in as each role in turn and takes one
order from intake through dispatch, sign, feedback, the unit leader's approval, review and
callback to close, and checks the timeline. Then the branches: the same caller's next call is
linked to that order with one click in the caller's history, dispatched, given an extension
(asked, approved by the unit leader, decided by the platform), sub-dispatched to a street and
reminded and supervised; a third order is returned by the wrong unit and the return accepted;
the closed order is appealed. Screenshots of the main pages go to `.ci/artifacts/screenshots/`.

    python3 Tests/browser/console_flow.py [--binary .build/debug/hotline]
"""
import argparse
import hashlib
import hmac
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / ".ci" / "artifacts" / "screenshots"
PORT = 18090
BASE = f"http://127.0.0.1:{PORT}"
CTI_SECRET = "browser-test-cti-secret-0123"


def start_server(binary):
    db = pathlib.Path(tempfile.mkdtemp(prefix="hotline-browser-")) / "hotline.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite://{db}", "HOTLINE_PASSWORD_COST": "4", "LOG_LEVEL": "warning",
           "HOTLINE_ATTACHMENTS_DIR": str(db.parent / "attachments"), "HOTLINE_CTI_WEBHOOK_SECRET": CTI_SECRET}
    log = open(db.parent / "server.log", "w")
    proc = subprocess.Popen([binary, "demo", "--hostname", "127.0.0.1", "--port", str(PORT)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited: see {db.parent / 'server.log'}")
        try:
            urllib.request.urlopen(BASE + "/health", timeout=1)
            return proc
        except Exception:
            time.sleep(0.5)
    proc.kill()
    sys.exit("the server did not answer /health within 120 s")


def browser():
    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=zh-CN"]:
        opts.add_argument(a)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium:
        opts.binary_location = chromium
    driver_path = shutil.which("chromedriver") or "/usr/lib/chromium/chromedriver"
    return webdriver.Chrome(service=Service(driver_path), options=opts)


class Flow:
    def __init__(self, d):
        self.d = d
        self.step = 0

    def shot(self, name):
        self.step += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.d.save_screenshot(str(SHOTS / f"{self.step:02d}-{name}.png"))

    def submit(self, button):
        """Clicks a submit button and waits for the next page to load."""
        old = self.d.find_element(By.TAG_NAME, "html")
        button.click()

        def gone(_):
            # Mid-navigation Chromium may answer "node does not belong to the document" instead
            # of a stale-element error (seen once in CI); both mean the old page is gone.
            try:
                old.is_enabled()
                return False
            except (StaleElementReferenceException, WebDriverException):
                return True

        WebDriverWait(self.d, 15).until(gone)
        WebDriverWait(self.d, 15, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return document.readyState") == "complete")
        self.check_page()

    def go(self, path):
        self.d.get(BASE + path)
        self.check_page()

    def check_page(self):
        body = self.d.find_element(By.TAG_NAME, "body").text
        assert "#(" not in self.d.page_source, f"unrendered Leaf on {self.d.current_url}"
        assert "出错了" not in body, f"an error page at {self.d.current_url}: {body[:300]}"

    def login(self, user):
        self.go("/login")
        self.d.find_element(By.NAME, "username").send_keys(user)
        self.d.find_element(By.NAME, "password").send_keys("demo1234")
        self.submit(self.d.find_element(By.CSS_SELECTOR, "form[action='/login'] button"))
        if "/login" in self.d.current_url:
            self.shot(f"login-failed-{user}")
            raise AssertionError(f"{user} could not log in: {self.d.find_element(By.TAG_NAME, 'body').text[:300]}")
        self.check_page()

    def logout(self):
        self.submit(self.d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))
        assert "/login" in self.d.current_url

    def fill(self, form, name, value):
        """Types into a field, or picks an option by value (by its text with `text:`)."""
        el = form.find_element(By.NAME, name)
        if el.tag_name == "select":
            if value.startswith("text:"):
                Select(el).select_by_visible_text(value[5:])
            else:
                Select(el).select_by_value(value)
        else:
            el.clear()
            el.send_keys(value)

    def act(self, order, action, fields=None, approve=None):
        self.go(f"/orders/{order}")
        forms = self.d.find_elements(By.ID, f"action-{action}")
        assert forms, f"{action} is not offered on {order}: {self.d.find_element(By.TAG_NAME, 'body').text[:500]}"
        form = forms[0]
        for name, value in (fields or {}).items():
            self.fill(form, name, value)
        if approve is None:
            self.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        else:
            self.submit(form.find_element(By.CSS_SELECTOR, f"button[name=approve][value={'true' if approve else 'false'}]"))
        assert f"done={action}" in self.d.current_url, f"{action} was not done: {self.d.find_element(By.TAG_NAME, 'body').text[:500]}"


def fill_intake(f, form, phone, title, division="110105"):
    f.fill(form, "citizenPhone", phone)
    f.fill(form, "citizenName", "王女士")
    f.fill(form, "title", title)
    Select(form.find_element(By.NAME, "requestType")).select_by_value("complaint")
    Select(form.find_element(By.NAME, "categoryCode")).select_by_value("010101")
    Select(form.find_element(By.NAME, "divisionCode")).select_by_value(division)
    f.fill(form, "time", "近一周每晚")
    f.fill(form, "address", "朝阳区建国路88号南门")
    f.fill(form, "people", "来电人及小区居民")
    f.fill(form, "matter", "小区南门外路灯连续一周不亮，夜间出行不便")
    f.fill(form, "course", "已向物业反映两次未果")
    f.fill(form, "wantedOutcome", "尽快修复路灯")


def order_id(d):
    return d.current_url.split("/orders/")[1].split("?")[0]


def dispatch(f, d, order, unit):
    f.go(f"/orders/{order}/dispatch")
    Select(d.find_element(By.NAME, "leadUnitId")).select_by_visible_text(unit)
    f.submit(d.find_element(By.CSS_SELECTOR, "form[action$='/dispatch'] button[type=submit]"))
    assert "办结期限" in d.page_source, "the deadline is previewed before confirming"
    f.submit(d.find_element(By.CSS_SELECTOR, "input[name=confirm] ~ button[type=submit]"))
    assert "done=dispatch" in d.current_url, d.current_url


def branches(f, d, first):
    """Link, extension, sub-dispatch, reminder, supervision, return and appeal, each through
    the pages a person would use."""
    # 话务员: the same caller again. The caller's history appears while typing; one click links.
    f.login("agent")
    f.go("/intake")
    form = d.find_element(By.ID, "intake")
    fill_intake(f, form, "13912345678", "路灯修好后又不亮了（浏览器测试）")
    pick = WebDriverWait(d, 15).until(EC.element_to_be_clickable(
        (By.CSS_SELECTOR, f"#history .pick-target[data-disposition=link][data-target='{first.upper()}']")))
    pick.click()
    assert form.find_element(By.CSS_SELECTOR, "input[name=disposition][value=link]").is_selected()
    assert form.find_element(By.NAME, "targetId").get_attribute("value") == first.upper()
    f.shot("intake-link-from-history")
    f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "done=link" in d.current_url, d.current_url
    second = order_id(d)
    assert "关联工单" in d.page_source and f"/orders/{first.upper()}" in d.page_source, "the new order names the one it is linked to"
    f.logout()

    f.login("dispatcher")
    dispatch(f, d, second, "朝阳区人民政府")
    f.logout()
    # 承办人: sign, ask two more working days, send the street its part.
    f.login("chaoyang-handler")
    f.act(second, "sign")
    f.act(second, "requestExtension", {"amount": "2", "reason": "需协调供电部门更换电缆"})
    f.act(second, "subDispatch", {"unitId": "text:建外街道办事处", "note": "请街道现场核实"})
    f.shot("order-sub-dispatched")
    f.logout()
    f.login("chaoyang-leader")
    f.go("/inbox?bucket=approvals")
    f.shot("unit-leader-approvals")
    f.act(second, "approveExtension", approve=True)
    f.logout()
    f.login("dispatcher")
    f.go("/queues/extensions")
    f.act(second, "decideExtension", approve=True)
    f.logout()
    # 建外街道: its own inbox, sign.
    f.login("jianwai-handler")
    f.act(second, "sign")
    f.logout()
    # 督办员: remind, then supervise; the ledger is on the page.
    f.login("supervisor")
    f.act(second, "remind", {"note": "请加快办理"})
    f.act(second, "supervise", {"method": "text:电话督办", "note": "市民再次来电，重点督办"})
    page = d.page_source
    assert "市民再次来电，重点督办" in page and "请加快办理" in page, "the supervision ledger and reminders show"
    f.shot("order-supervised")
    f.logout()

    # A third order goes to the wrong unit, which returns it with the basis.
    f.login("agent")
    f.go("/intake")
    form = d.find_element(By.ID, "intake")
    fill_intake(f, form, "13800001111", "路灯不亮（退回测试）")
    f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    third = order_id(d)
    f.logout()
    f.login("dispatcher")
    dispatch(f, d, third, "海淀区人民政府")
    f.logout()
    f.login("haidian-handler")
    f.act(third, "requestReturn", {"reason": "地点在朝阳区，不属本区管辖", "basis": "属地管理原则"})
    f.logout()
    f.login("haidian-leader")
    f.act(third, "approveReturn", approve=True)
    f.logout()
    f.login("dispatcher")
    f.go("/queues/returns")
    f.shot("returns-queue")
    f.act(third, "decideReturn", approve=True)
    assert "待派单" in d.page_source, "an accepted return sends the order back to dispatch"
    f.logout()

    # 回访员: the citizen of the first order appeals after closing.
    f.login("callback")
    f.act(first, "appeal", {"reason": "路灯又不亮了，对答复不满意"})
    f.logout()
    print(f"browser branches passed: link {second}, extension, sub-dispatch, reminder, supervision, return {third}, appeal {first}")


def cti(event):
    """Sends a call event as the CTI does: JSON, signed with the shared secret."""
    body = json.dumps(event).encode()
    mac = hmac.new(CTI_SECRET.encode(), body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(BASE + "/api/v1/telephony/events", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "X-Hotline-Signature": "sha256=" + mac})
    return json.loads(urllib.request.urlopen(req).read())


def calls(f, d, first):
    """R-IN-4: the agent at seat 8001 has the intake page open; the phone rings there. Without a
    reload the page shows the call, fills the number, and lists the caller's earlier orders;
    the order recorded during the call gets the recording when the CTI sends it."""
    f.login("agent")
    f.go("/intake")
    d.execute_script("window.notReloaded = true")
    cti({"callId": "browser-call-1", "event": "ringing", "callerNumber": "13912345678", "extension": "8001"})
    wait = WebDriverWait(d, 10)
    wait.until(lambda d: d.find_element(By.ID, "call").is_displayed())
    assert "来电振铃" in d.find_element(By.CSS_SELECTOR, "#call .call-title").text
    wait.until(lambda d: first in d.find_element(By.ID, "history").get_attribute("innerHTML"))
    assert d.execute_script("return window.notReloaded === true"), "the page was not reloaded"
    form = d.find_element(By.ID, "intake")
    assert form.find_element(By.NAME, "citizenPhone").get_attribute("value") == "13912345678"
    assert form.find_element(By.NAME, "callId").get_attribute("value") == "browser-call-1"
    cti({"callId": "browser-call-1", "event": "answered"})
    wait.until(lambda d: "通话中" in d.find_element(By.CSS_SELECTOR, "#call .call-title").text)
    f.shot("call-ringing-history")
    fill_intake(f, form, "13912345678", "路灯又坏了（来电中受理）")
    f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "done=intake" in d.current_url, d.current_url
    order = order_id(d)
    cti({"callId": "browser-call-1", "event": "hungUp"})
    done = cti({"callId": "browser-call-1", "event": "recording", "recordingUrl": "https://pbx.example/rec/browser-call-1.mp3"})
    assert done["workOrderIds"] == [order] or [x.lower() for x in done["workOrderIds"]] == [order.lower()], done
    f.go(f"/orders/{order}")
    assert d.find_elements(By.CSS_SELECTOR, "a.recording[href='https://pbx.example/rec/browser-call-1.mp3']"), "the recording is on the order"
    f.shot("order-with-recording")
    # On another page: the banner shows the call and the history, and takes the agent to intake.
    f.go("/")
    cti({"callId": "browser-call-2", "event": "ringing", "callerNumber": "13912345678", "extension": "8001"})
    wait.until(lambda d: d.find_element(By.ID, "call").is_displayed() and "来电振铃" in d.find_element(By.CSS_SELECTOR, "#call .call-title").text)
    wait.until(lambda d: first in d.find_element(By.CSS_SELECTOR, "#call .call-history").get_attribute("innerHTML"))
    f.submit(d.find_element(By.CSS_SELECTOR, "#call .call-intake"))
    form = d.find_element(By.ID, "intake")
    assert form.find_element(By.NAME, "callId").get_attribute("value") == "browser-call-2"
    assert form.find_element(By.NAME, "citizenPhone").get_attribute("value") == "13912345678"
    print(f"call events passed: the ringing call showed without a reload; order {order} has its recording")
    f.logout()


def page_times(d, order):
    """Server time of the main pages with the demo data (issue [console]: under 100 ms): the
    median and the slowest of 10 requests each, with the logged-in session's cookie."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    pages = ["/", "/queues/dispatch", "/queues/review", "/queues/callback", "/supervision", f"/orders/{order}",
             "/search?q=%E8%B7%AF%E7%81%AF", "/search?status=handling&light=red", "/intake"]
    print("page                                         median ms   max ms")
    for path in pages:
        times = []
        for _ in range(10):
            req = urllib.request.Request(BASE + path, headers={"Cookie": cookie})
            t = time.perf_counter()
            urllib.request.urlopen(req).read()
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        print(f"{path[:44]:44} {times[5]:9.1f} {times[-1]:8.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(ROOT / ".build" / "debug" / "hotline"))
    args = ap.parse_args()
    shutil.rmtree(SHOTS, ignore_errors=True)
    server = start_server(args.binary)
    d = browser()
    f = Flow(d)
    try:
        # 话务员: record the call and send it to dispatch.
        f.login("agent")
        f.shot("agent-workbench")
        f.go("/intake")
        form = d.find_element(By.ID, "intake")
        fill_intake(f, form, "13912345678", "小区门口路灯不亮（浏览器测试）")
        f.shot("intake-form")
        f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "/orders/" in d.current_url and "done=intake" in d.current_url, d.current_url
        order = d.current_url.split("/orders/")[1].split("?")[0]
        f.shot("order-after-intake")
        f.logout()

        # 派单员: the queue, then dispatch with the deadline previewed.
        f.login("dispatcher")
        f.go("/queues/dispatch")
        f.shot("dispatch-queue")
        f.go(f"/orders/{order}/dispatch")
        Select(d.find_element(By.NAME, "leadUnitId")).select_by_visible_text("朝阳区人民政府")
        f.submit(d.find_element(By.CSS_SELECTOR, "form[action$='/dispatch'] button[type=submit]"))
        assert "办结期限" in d.page_source, "the deadline is previewed before confirming"
        f.shot("dispatch-preview")
        f.submit(d.find_element(By.CSS_SELECTOR, "input[name=confirm] ~ button[type=submit]"))
        assert "done=dispatch" in d.current_url, d.current_url
        f.logout()

        # 承办人: inbox, sign, feedback.
        f.login("chaoyang-handler")
        f.go("/inbox")
        f.shot("unit-inbox")
        f.act(order, "sign")
        f.act(order, "submitFeedback", {
            "answer": "经现场核实，路灯线路老化，已更换并恢复照明。", "result": "solved", "contactMethod": "phone",
            "citizenOpinion": "市民表示认可", "responsiblePerson": "李工", "responsiblePhone": "010-85000000",
        })
        f.shot("order-feedback")
        f.logout()

        # 单位分管领导 approves; 审核员 approves; 回访员 calls back.
        f.login("chaoyang-leader")
        f.act(order, "approveFeedback", approve=True)
        f.logout()
        f.login("reviewer")
        f.go("/queues/review")
        f.shot("review-queue")
        f.act(order, "review", approve=True)
        f.logout()
        f.login("callback")
        f.go("/queues/callback")
        f.shot("callback-queue")
        f.act(order, "callback", {"method": "phone", "satisfaction": "satisfied", "solved": "true"})
        f.logout()

        # Anyone may now read the closed order and its timeline.
        f.login("supervisor")
        f.go("/supervision")
        f.shot("supervision-board")
        f.go(f"/orders/{order}")
        page = d.page_source
        assert "已办结" in page, "the order is closed"
        cursor = 0
        for step in ["受理", "派单", "签收", "提交反馈", "审批反馈", "审核", "回访"]:
            found = page.find(f"<strong>{step}</strong>", cursor)
            assert found >= 0, f"the timeline shows {step} after the steps before it"
            cursor = found
        f.shot("order-closed-timeline")
        f.go(f"/search?q=路灯")
        f.shot("search")
        print(f"browser flow passed: order {order} closed through every role; screenshots in {SHOTS}")
        f.logout()
        branches(f, d, order)
        calls(f, d, order)
        f.login("supervisor")
        # 管理员: the administration pages, and a parameter changed through the form.
        f.logout()
        f.login("admin")
        for path, name in [("/admin/units", "admin-units"), ("/admin/accounts", "admin-accounts"), ("/admin/calendar?year=2026", "admin-calendar"),
                           ("/admin/outbox", "admin-outbox"), ("/admin/templates", "admin-templates")]:
            f.go(path)
            f.shot(name)
        # The worker ran beside the server: the demo's overdue orders were reminded by SMS (to the log).
        f.go("/admin/outbox?state=sent")
        assert "remind.red" in d.page_source, "the worker reminded the demo's overdue units"
        f.go("/admin/parameters")
        row = d.find_element(By.ID, "param-callback.maxAttempts")
        field = d.find_element(By.CSS_SELECTOR, "input[form='param-callback.maxAttempts']")
        field.clear()
        field.send_keys("4")
        f.submit(row.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "done=save" in d.current_url, d.current_url
        f.go("/admin/parameters")
        value = d.execute_script("return document.querySelector(\"input[form='param-callback.maxAttempts']\").value")
        assert value == "4", value
        f.shot("admin-parameters")

        # Server time of the main pages, as someone who holds every platform role.
        f.logout()
        f.login("shiftlead")
        page_times(d, order)
    finally:
        d.quit()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
