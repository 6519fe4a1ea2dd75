#!/usr/bin/env python3
"""Real-browser test of the public portal ([citizens]): headless Chromium driven by selenium.

A citizen submits a request with a photo through the portal on a phone-sized screen, gets the
order number and query secret, and tracks the order (a wrong secret first). Staff then handle
the order through the JSON API (complete, dispatch, sign, answer, approve, review); the
citizen sees the answer and rates it, which closes the order. A reviewer publishes it from
the console's order page, and the public disclosure page shows it with the personal data
masked. Screenshots go to `.ci/artifacts/screenshots/portal-*.png`.

    python3 Tests/browser/portal_flow.py [--binary .build/debug/hotline]
"""
import argparse
import base64
import json
import pathlib
import sys
import tempfile
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from console_flow import BASE, SHOTS, Flow, browser, start_server  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

# A 1×1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def api(method, path, token=None, body=None, headers=None):
    req = urllib.request.Request(BASE + "/api/v1" + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
        return json.loads(text) if text else None


def login(user):
    return api("POST", "/sessions", body={"username": user, "password": "demo1234"})["token"]


def handle(number):
    """The staff's part, through the API: the order waits for the citizen's rating after it."""
    agent = login("agent")
    found = api("GET", f"/work-orders?number={number}", agent)["items"]
    assert len(found) == 1, found
    oid = found[0]["id"]
    order = api("GET", f"/work-orders/{oid}", agent)
    assert order["channel"] == "web" and order["status"] == "pendingDispatch", order
    elements = order["elements"]
    elements["people"] = elements["people"] or "楼上住户"
    elements["wantedOutcome"] = elements["wantedOutcome"] or "停止夜间噪音"
    api("PATCH", f"/work-orders/{oid}", agent, {"elements": elements}, {"If-Match": f"\"{order['version']}\""})
    dispatcher = login("dispatcher")
    chaoyang = next(u for u in api("GET", "/units", dispatcher) if u["name"] == "朝阳区人民政府")
    lead = api("POST", f"/work-orders/{oid}/dispatch", dispatcher, {"leadUnitId": chaoyang["id"]})["assignments"][0]["id"]
    handler = login("chaoyang-handler")
    api("POST", f"/assignments/{lead}/sign", handler)
    api("POST", f"/assignments/{lead}/feedback", handler, {
        "answer": "经办人张建军已上门劝导楼上住户，联系电话010-85001234，噪音已停止。", "result": "solved", "contactMethod": "phone",
        "contactedAt": "2026-11-23T10:00:00+08:00", "citizenOpinion": "认可", "policyReferences": "《噪声污染防治法》",
        "responsiblePerson": "张建军", "responsiblePhone": "010-85001234"})
    api("POST", f"/assignments/{lead}/feedback-approval", login("chaoyang-leader"), {"approve": True})
    reviewed = api("POST", f"/work-orders/{oid}/review", login("reviewer"), {"approve": True})
    assert reviewed["status"] == "awaitingCallback", reviewed["status"]
    return oid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=str(pathlib.Path(__file__).resolve().parents[2] / ".build" / "debug" / "hotline"))
    args = ap.parse_args()
    server = start_server(args.binary)
    d = browser()
    f = Flow(d)
    f.step = 80
    photo = pathlib.Path(tempfile.mkdtemp()) / "楼道.png"
    photo.write_bytes(PNG)
    try:
        # A phone-sized screen: the portal is used on phones first.
        d.set_window_size(390, 844)
        f.go("/portal")
        f.shot("portal-home")
        f.submit(d.find_element(By.CSS_SELECTOR, "a.card[href='/portal/submit']"))
        form = d.find_element(By.ID, "submit-form")
        Select(form.find_element(By.NAME, "requestType")).select_by_value("complaint")
        Select(form.find_element(By.NAME, "categoryCode")).select_by_value("040102")
        f.fill(form, "title", "楼上夜间噪音（浏览器测试）")
        f.fill(form, "description", "楼上每晚11点后拖动家具，我叫王芳，电话13800001111")
        f.fill(form, "time", "每晚23点后")
        f.fill(form, "address", "朝阳区建国路88号3单元")
        f.fill(form, "name", "王芳")
        f.fill(form, "phone", "13800001111")
        form.find_element(By.NAME, "consentsToDisclosure").click()
        form.find_element(By.NAME, "photos[]").send_keys(str(photo))
        f.shot("portal-submit")
        f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        number = d.find_element(By.ID, "number").text.strip()
        secret = d.find_element(By.ID, "secret").text.strip()
        assert number.isdigit() and len(secret) == 8, (number, secret)
        f.shot("portal-accepted")

        # Tracking: a wrong secret is refused, the right one shows the order.
        f.submit(d.find_element(By.CSS_SELECTOR, "a.button[href^='/portal/track']"))
        form = d.find_element(By.ID, "track-form")
        assert form.find_element(By.NAME, "number").get_attribute("value") == number, "the number comes filled in"
        f.fill(form, "secret", "22222222")
        f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "工单编号或查询密码不正确" in d.find_element(By.CSS_SELECTOR, ".problem").text
        form = d.find_element(By.ID, "track-form")
        f.fill(form, "number", number)
        f.fill(form, "secret", secret.lower())
        f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert d.find_element(By.ID, "stage").text == "已受理，待分派", d.find_element(By.ID, "stage").text
        f.shot("portal-tracked")

        oid = handle(number)

        # The citizen reads the answer and rates it: the order closes.
        f.go(f"/portal/track?number={number}")
        form = d.find_element(By.ID, "track-form")
        f.fill(form, "secret", secret)
        f.submit(form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert d.find_element(By.ID, "stage").text == "已答复，待评价"
        assert "噪音已停止" in d.find_element(By.ID, "answer").text
        rate = d.find_element(By.ID, "rate-form")
        rate.find_element(By.CSS_SELECTOR, "input[name=satisfaction][value=satisfied]").click()
        rate.find_element(By.CSS_SELECTOR, "input[name=solved][value=true]").click()
        rate.find_element(By.NAME, "comment").send_keys("处理及时")
        f.shot("portal-rate")
        f.submit(rate.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "感谢您的评价" in d.find_element(By.TAG_NAME, "body").text
        assert d.find_element(By.ID, "stage").text == "已办结" and d.find_element(By.ID, "rated").text == "满意，已解决"
        assert d.find_elements(By.ID, "appeal-form"), "the closed order may be appealed"
        f.shot("portal-rated")

        # A reviewer publishes it from the order page; the public sees the masked copy.
        d.set_window_size(1366, 768)
        f.login("reviewer")
        f.go(f"/orders/{oid}")
        section = d.find_element(By.ID, "publication")
        assert "王芳" not in section.find_element(By.NAME, "matter").get_attribute("value")
        f.shot("portal-publish")
        f.submit(section.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert "done=publish" in d.current_url, d.current_url
        f.logout()
        d.set_window_size(390, 844)
        f.go("/portal/disclosures")
        link = d.find_element(By.CSS_SELECTOR, f"a[href='/portal/disclosures/{number}']")
        f.submit(link)
        text = d.find_element(By.TAG_NAME, "main").text
        assert "噪音已停止" in text, text
        for personal in ["王芳", "13800001111", "85001234", "张建军", "88号"]:
            assert personal not in text, f"{personal} shows on the public page"
        f.shot("portal-disclosure")
        print("portal flow: passed")
    except Exception:
        f.shot("portal-failure")
        raise
    finally:
        d.quit()
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
