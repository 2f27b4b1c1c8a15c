#!/usr/bin/env python3
"""Drives the dashboard in headless Chromium over the DevTools protocol, as an operator would at 375 px wide.

    dashboard_browser.py PORT ADMIN_KEY ARTIFACT_DIR

Signs in (a wrong key first), opens a native group, sends a message from the composer, has the recipient read it
through the API, and watches the status reach `read` and the events arrive live, without a reload. Then the event
view, the provider matrix, and a webhook subscription made in the page whose failed delivery is retried with the
button. Fails on any console error or uncaught exception, on horizontal overflow at 375 px, and on a page heavier
than 100 KiB. Screenshots of every step go to ARTIFACT_DIR. Needs Chromium (Debian: chromium) and websockets.
"""
import base64
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from websockets.sync.client import connect

PORT, KEY, ARTIFACTS = int(sys.argv[1]), sys.argv[2], sys.argv[3]
BASE = f"http://127.0.0.1:{PORT}"
TEXT = "Hello from the dashboard"
checks = []


def check(condition, description):
    checks.append((bool(condition), description))
    print(("ok   " if condition else "FAIL ") + description, flush=True)
    return condition


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Browser:
    """Headless Chromium and one page, spoken to over the DevTools protocol."""

    def __init__(self, log_path):
        binary = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
        if not binary:
            raise SystemExit("dashboard-browser: no Chromium on PATH (Debian: apt-get install chromium); Tests/run-all.sh installs it")
        self.profile = tempfile.mkdtemp(prefix="sb-chromium-")
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--remote-debugging-port=0", "--remote-allow-origins=*", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=self.log, stderr=self.log)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit(f"dashboard-browser: Chromium did not start (see {log_path})")
            time.sleep(0.1)
        devtools = int(open(port_file).read().split("\n")[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=10) as response:
            page = next(t for t in json.load(response) if t["type"] == "page")
        self.connection = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.socket = self.connection.__enter__()
        self.counter = 0
        self.console = []  # console errors, uncaught exceptions, failed loads
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def close(self):
        try:
            self.connection.__exit__(None, None, None)
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.console.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            self.console.append(f"console.{params['type']}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            entry = params["entry"]
            self.console.append(f"{entry['source']} {entry['level']}: {entry['text']} {entry.get('url', '')}")

    def call(self, method, **params):
        self.counter += 1
        ident = self.counter
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.time() + 30
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.time())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def eval(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate {expression!r}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait(self, expression, description, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.eval(expression):
                return check(True, description)
            time.sleep(0.1)
        self.screenshot("timeout")
        return check(False, f"{description} (timed out after {timeout} s: {expression})")

    def click(self, selector):
        """A real mouse click at the element's centre (scrolled into view), as a finger would."""
        box = self.eval(f"""(() => {{ const el = document.querySelector({json.dumps(selector)}); if (!el) return null;
            el.scrollIntoView({{block: 'center'}}); const r = el.getClientRects()[0];
            return {{x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height}}; }})()""")
        if not check(box and box["w"] > 0 and box["h"] > 0, f"{selector} is visible to click"):
            return
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)

    def type(self, selector, text):
        self.eval(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", text=text)

    def viewport(self, width, height, mobile):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)

    def screenshot(self, name):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"]
        path = os.path.join(ARTIFACTS, f"{len(os.listdir(ARTIFACTS)):02d}-{name}.png")
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))
        print(f"     screenshot {path}", flush=True)

    def fits(self, view):
        width = self.eval("[document.documentElement.scrollWidth, window.innerWidth]")
        check(width[0] <= width[1], f"{view}: no horizontal overflow at {width[1]} px (content {width[0]} px)")


class Hook(http.server.BaseHTTPRequestHandler):
    """A webhook target that fails until told to accept."""
    accept = False
    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Hook.received += 1
        self.send_response(204 if Hook.accept else 500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    for name in os.listdir(ARTIFACTS):
        os.remove(os.path.join(ARTIFACTS, name))
    # Two native accounts and a group (fictional +1555 numbers).
    for name, phone in (("alice", "+15550000001"), ("bob", "+15550000002")):
        api("POST", "/v1/sessions", {"id": name, "provider": "native", "phone": phone})
    status, group = api("POST", "/v1/sessions/alice/groups", {"name": "Team", "participants": ["+15550000002"]})
    check(status == 201, "setup: alice's group Team with bob")
    group_id = group["id"]

    browser = Browser(os.path.join(ARTIFACTS, "chromium.log"))
    try:
        run(browser, group_id)
    finally:
        browser.close()
    failed = [description for ok, description in checks if not ok]
    print(f"dashboard-browser: {len(checks)} checks, {len(failed)} failed; screenshots in {ARTIFACTS}")
    sys.exit(1 if failed else 0)


def run(browser, group_id):
    browser.viewport(375, 812, True)
    # `shown(selector)`: rendered at all (the hidden attribute must win over the stylesheet's display).
    browser.call("Page.addScriptToEvaluateOnNewDocument",
                 source="window.shown = (s) => { const el = document.querySelector(s); return !!el && getComputedStyle(el).display !== 'none'; };")
    browser.call("Page.navigate", url=BASE + "/")
    browser.wait("document.readyState === 'complete' && !document.querySelector('#login').hidden", "the sign-in form shows")
    check(not browser.eval("shown('#nav')"), "no navigation before signing in")
    browser.fits("sign-in")
    browser.screenshot("sign-in")

    # A wrong key is refused with a clear notice (the browser itself logs the 401 load; only that is allowed).
    browser.type("#key", "not-a-key-0000000000")
    browser.click("#login-submit")
    browser.wait("!document.querySelector('#notice').hidden && document.querySelector('#notice').textContent.includes('refused')",
                 "a wrong key is refused with a notice")
    check(all("401" in line for line in browser.console), f"only the refused load was logged: {browser.console}")
    browser.console.clear()
    check(browser.eval("sessionStorage.getItem('switchboard.key')") is None, "a refused key is not kept")

    browser.eval("document.querySelector('#key').value = ''")
    browser.type("#key", KEY)
    browser.click("#login-submit")
    browser.wait("!!document.querySelector('a[href=\"#/sessions/alice\"]')", "signed in: the sessions list shows alice")
    check(browser.eval("sessionStorage.getItem('switchboard.key')") == KEY, "the key is kept in the tab's sessionStorage")
    check(not browser.eval("shown('#notice')") and not browser.eval("shown('#login')") and browser.eval("shown('#nav')"),
          "after signing in: the refusal notice and the form are gone, the navigation shows")
    check(browser.eval("localStorage.length === 0 && document.cookie === ''"), "…and nowhere else (no localStorage, no cookie)")
    check(browser.eval("document.querySelector('#view').textContent.includes('native')"), "sessions show their provider")
    browser.wait("document.querySelector('#live').classList.contains('on')", "the live event stream is connected")
    browser.fits("sessions")
    browser.screenshot("sessions")

    browser.click('a[href="#/sessions/alice"]')
    group_link = f'a[href="#/sessions/alice/groups/{urllib.parse.quote(group_id, safe="")}"]'
    browser.wait(f"!!document.querySelector({json.dumps(group_link)})", "alice's session shows the group Team")
    browser.fits("session")
    browser.screenshot("session")

    browser.click(group_link)
    browser.wait("!!document.querySelector('#composer')", "the group opens with a composer")
    view = browser.eval("document.querySelector('#view').textContent")
    check("+15550000002" in view and "superadmin" in view, "the group shows its participants and roles")
    check("Only admins send" in view, "the group shows its settings")
    browser.eval("window.__notReloaded = true")
    browser.fits("group")
    browser.screenshot("group")

    browser.type("#compose-text", TEXT)
    browser.click("#compose-send")
    row = "[...document.querySelectorAll('#messages li')].find(li => li.textContent.includes(%s))" % json.dumps(TEXT)
    browser.wait(f"{row} && ['sent', 'delivered', 'read'].includes({row}.dataset.status)", "the sent message shows with status sent")
    message_id = browser.eval(f"{row}.dataset.id")
    status, message = api("GET", f"/v1/messages/{message_id}")
    check(status == 200 and message["text"] == TEXT and message["session"] == "alice", "the page sent it through the public API")
    browser.screenshot("sent")

    # The recipient reads it (through the API, as bob's app would); the page follows live.
    deadline = time.time() + 10
    while time.time() < deadline:
        _, received = api("GET", "/v1/events?session=bob&type=message.received")
        if any(e["data"]["id"] == message_id for e in received["data"]):
            break
        time.sleep(0.1)
    status, _ = api("POST", f"/v1/sessions/bob/messages/{message_id}/read")
    check(status == 204, "bob reads the message")
    browser.wait(f"{row}.dataset.status === 'read'", "the status reaches read without a reload")
    check(browser.eval(f"{row}.querySelector('.receipts').textContent.includes('1/1 read')"), "the receipts show 1/1 read")
    browser.wait("!!document.querySelector('#group-events tr[data-type=\"message.read\"]')", "the message.read event appears live in the group")
    check(browser.eval("window.__notReloaded === true"), "the page was not reloaded")
    browser.click(f"#messages li[data-id='{message_id}'] button")
    browser.wait(f"document.querySelector(\"#messages li[data-id='{message_id}'] .attempts\").textContent.includes('engine delivered it directly')",
                 "the attempts of a native send are shown")
    browser.screenshot("read")

    browser.click('#nav a[href="#/events"]')
    browser.wait("!!document.querySelector('#events tr[data-type=\"message.read\"]') && !!document.querySelector('#events tr[data-type=\"message.sent\"]')",
                 "the event view lists the message events")
    api("POST", "/v1/sessions/alice/messages", {"group": group_id, "text": "while watching the events"})
    browser.wait("[...document.querySelectorAll('#events tr')].some(tr => tr.textContent.includes('while watching the events'))",
                 "a new event appears live in the event view")
    browser.fits("events")
    browser.screenshot("events")

    browser.click('#nav a[href="#/providers"]')
    browser.wait("!!document.querySelector('table.matrix')", "the provider capability matrix shows")
    kinds = browser.eval("[...document.querySelectorAll('table.matrix thead th')].map(th => th.textContent)")
    check(all(k in kinds for k in ("native", "waha", "waxum", "walytic", "talkntalk", "a1base")), f"the matrix has every provider: {kinds}")
    browser.fits("providers")
    browser.screenshot("providers")

    # A subscription made in the page; its delivery fails, then the retry button delivers it.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browser.click('#nav a[href="#/webhooks"]')
        browser.wait("!!document.querySelector('form.inline')", "the webhook view shows")
        hook_url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        browser.type("form.inline input[type=url]", hook_url)
        browser.type("form.inline input[type=text]", "message.sent")
        browser.click("form.inline button")
        browser.wait("document.querySelector('#notice').textContent.includes('whsec_')", "subscribing shows the signing secret once")
        browser.wait("!!document.querySelector('a[href^=\"#/webhooks/\"]')", "the subscription is listed")
        api("POST", "/v1/sessions/alice/messages", {"group": group_id, "text": "to the webhook"})
        _, subscriptions = api("GET", "/v1/webhooks")
        subscription = next(s["id"] for s in subscriptions["data"] if s["url"] == hook_url)
        deadline = time.time() + 20
        while time.time() < deadline:
            _, deliveries = api("GET", f"/v1/webhooks/{subscription}/deliveries?status=failed")
            if deliveries["data"]:
                break
            time.sleep(0.2)
        check(deliveries["data"], "the delivery to the failing target ends failed")
        browser.click(f'a[href="#/webhooks/{subscription}"]')
        browser.wait("[...document.querySelectorAll('#view button')].some(b => b.textContent === 'Retry')", "the failed delivery has a Retry button")
        browser.fits("webhook")
        browser.screenshot("webhook-failed")
        Hook.accept = True
        browser.eval("[...document.querySelectorAll('#view button')].find(b => b.textContent === 'Retry').setAttribute('id', 'retry-one')")
        browser.click("#retry-one")
        browser.wait("document.querySelector('#notice').textContent.includes('Retry scheduled')", "the retry is accepted")
        deadline = time.time() + 20
        while time.time() < deadline:
            _, delivery = api("GET", f"/v1/webhooks/{subscription}/deliveries/{deliveries['data'][0]['id']}")
            if delivery["status"] == "succeeded":
                break
            time.sleep(0.2)
        check(delivery["status"] == "succeeded", "the retried delivery succeeds")
        browser.eval("window.dispatchEvent(new HashChangeEvent('hashchange'))")
        browser.wait("[...document.querySelectorAll('#view .badge')].some(b => b.textContent === 'succeeded')", "the page shows it succeeded")
        browser.screenshot("webhook-retried")
    finally:
        server.shutdown()

    # Page weight: the document and its two files, as transferred.
    weight = browser.eval("""(() => { const nav = performance.getEntriesByType('navigation')[0];
        return [nav, ...performance.getEntriesByType('resource').filter(r => r.name.includes('/dashboard/'))]
            .reduce((sum, e) => sum + (e.encodedBodySize || e.transferSize), 0); })()""")
    check(0 < weight < 100 * 1024, f"page weight {weight} bytes < 100 KiB")
    external = browser.eval("performance.getEntriesByType('resource').filter(r => !r.name.startsWith(location.origin)).map(r => r.name)")
    check(external == [], f"no external assets: {external}")

    # The same group at desktop width.
    browser.viewport(1280, 900, False)
    browser.eval(f"location.hash = '#/sessions/alice/groups/{urllib.parse.quote(group_id, safe='')}'")
    browser.wait("!!document.querySelector('#composer')", "the group view at 1280 px")
    browser.screenshot("group-desktop")
    check(browser.console == [], f"no console errors or exceptions: {browser.console}")


if __name__ == "__main__":
    main()
