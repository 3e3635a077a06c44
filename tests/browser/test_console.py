"""`cpwarden console` in a real browser: Debian's headless Chromium driven through
chromium-driver and python3-selenium, against `cpwarden sandbox --scenario orphans`.

The whole runbook from the browser: load the overview, scan (live progress), open the graph and
check which nodes are marked as leftovers (and that the live ones are not), open a finding with
the keyboard and read its evidence, read a domain's page, build a plan (keys only), apply it
with the typed confirmation (a wrong one first) and watch every step until it finishes, find it
in the history, scan again and compare the two snapshots, read the audit. Beside the browser,
plain HTTP requests check the refusals: no token, a wrong token, no session, a foreign Origin,
another Host, a missing and a forged CSRF token. The accessibility tree (Chrome DevTools
Protocol, Accessibility.getFullAXTree) must give the main controls their roles and names.

Screenshots of each view go to $CPW_BUILD_DIR/console-screenshots/ (docs/console.md shows
copies). Exit 77 (skipped) when Chromium, its driver or Selenium is missing, except under CI
(env CI set), where scripts/bootstrap installs them and their absence is a failure."""
import base64
import http.client
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import sandbox_lib  # noqa: E402

CPWARDEN = os.environ["CPWARDEN"]
BUILD = os.environ.get("CPW_BUILD_DIR", os.getcwd())
SHOTS = os.path.join(BUILD, "console-screenshots")
CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"
ACCOUNT = "123456789012"
ORPHAN_DOMAIN = "retired-customers"
LIVE_DOMAIN = "live-customers"
LEFTOVERS = {ORPHAN_DOMAIN, "AWSServiceRoleForAmazonConnect_DeletedInstance00002", "AWSServiceRoleForProfile"}
LIVE = {"live-contact-center", LIVE_DOMAIN, "AWSServiceRoleForAmazonConnect_LiveInstanceRole0001",
        "AWSServiceRoleForProfile_LiveDomainRole000001"}
WAIT = 20  # seconds, for anything the page does without AWS calls in between
PASSED = 0
FAILED = 0


def missing(what):
    if os.environ.get("CI"):
        print("FAILED: %s is missing (scripts/bootstrap installs it)" % what)
        sys.exit(1)
    print("skipped: %s is missing: install chromium chromium-driver python3-selenium "
          "(scripts/bootstrap does) to run the browser tests" % what)
    sys.exit(77)


try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    missing("Debian's python3-selenium")
for path, package in ((CHROMIUM, "chromium"), (DRIVER, "chromium-driver")):
    if not os.access(path, os.X_OK):
        missing("%s (%s)" % (path, package))


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAILED:", name, detail)
    return cond


# ---- processes -----------------------------------------------------------------------------

def isolated_env(tmp):
    env = dict(os.environ)
    for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        env.pop(k, None)
    for name in ("aws-config", "aws-credentials"):
        open(os.path.join(tmp, name), "w").close()
    env.update({
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.path.join(tmp, "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "aws-credentials"),
        "XDG_STATE_HOME": os.path.join(tmp, "state"),
        "XDG_CONFIG_HOME": os.path.join(tmp, "config"),
    })
    return env


def start_sandbox(tmp, env):
    """The orphans scenario on an ephemeral port; service-linked role deletion tasks and the
    domain role's cleanup settle in a fraction of a second (as tests/e2e/cleanup_lib.sh)."""
    ready = os.path.join(tmp, "ready")
    return sandbox_lib.start_sandbox(CPWARDEN, ready, [
        "--scenario", "orphans", "--no-rate-limits",
        "--knob", "domain_role_cleanup_ms=200",
        "--slr-deletion-delay-ms", "100"
    ], env=env)


def start_console(env, endpoint):
    """`cpwarden console --port 0`; returns the process and the URL it prints (bounded)."""
    proc = subprocess.Popen([CPWARDEN, "console", "--port", "0", "--endpoint-url", endpoint,
                             "--regions", "all"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    line = b""
    while time.monotonic() < deadline and not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        line += chunk
    m = re.search(rb"(http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+))", line)
    if not m:
        proc.kill()
        raise SystemExit("console printed no URL: %r %r" % (line, proc.stderr.read()))
    return proc, m.group(1).decode(), int(m.group(2)), m.group(3).decode()


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# ---- plain HTTP beside the browser -----------------------------------------------------------

def request(port, method, path, headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    hdrs = {"Host": "127.0.0.1:%d" % port}
    hdrs.update(headers or {})
    conn.request(method, path, body=body, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    out = (resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    conn.close()
    return out


def error_code(data):
    try:
        return json.loads(data)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def security_checks(port, token):
    st, hd, _ = request(port, "GET", "/api/session")
    check("no session: /api/session is 401", st == 401, st)
    st, _, _ = request(port, "GET", "/")
    check("no token and no session: / is 401", st == 401, st)
    st, _, _ = request(port, "GET", "/?token=" + "A" * len(token))
    check("a wrong token is 401", st == 401, st)
    st, hd, _ = request(port, "GET", "/?token=" + token)
    cookie = hd.get("set-cookie", "")
    check("the right token: 303 to / with the session cookie", st == 303 and hd.get("location") == "/", (st, hd))
    check("the cookie is HttpOnly and SameSite=Strict", "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie)
    jar = {"Cookie": cookie.split(";")[0]}
    st, hd, data = request(port, "GET", "/api/session", jar)
    check("with the cookie /api/session answers", st == 200, st)
    csrf = json.loads(data)["csrf_token"] if st == 200 else ""
    csp = hd.get("content-security-policy", "")
    check("a strict Content-Security-Policy", "default-src 'none'" in csp and "script-src 'self'" in csp
          and "unsafe-inline" not in csp, csp)
    check("nosniff", hd.get("x-content-type-options") == "nosniff")
    st, hd, data = request(port, "GET", "/", jar)
    check("the page loads only its own scripts and styles",
          st == 200 and b"<script>" not in data and b"style=" not in data and b"http://" not in data
          and b"https://" not in data, data[:200])
    body = b'{"finding_ids":[]}'
    st, _, data = request(port, "POST", "/api/plan", dict(jar, **{"Content-Type": "application/json"}), body)
    check("POST without the CSRF token: 403 InvalidCsrfToken", st == 403 and error_code(data) == "InvalidCsrfToken", (st, data))
    forged = "x" * max(8, len(csrf))
    st, _, data = request(port, "POST", "/api/plan", dict(jar, **{"X-CSRF-Token": forged, "Content-Type": "application/json"}), body)
    check("POST with a forged CSRF token: 403 InvalidCsrfToken", st == 403 and error_code(data) == "InvalidCsrfToken", (st, data))
    st, _, data = request(port, "POST", "/api/scan", dict(jar, **{"X-CSRF-Token": csrf, "Origin": "http://evil.example",
                                                                   "Content-Type": "application/json"}), b"{}")
    check("POST from a foreign Origin (right token): 403", st == 403, (st, data))
    st, _, _ = request(port, "GET", "/api/session", dict(jar, Origin="http://127.0.0.1:%d.evil.example" % port))
    check("GET from a look-alike Origin: 403", st == 403, st)
    st, _, _ = request(port, "GET", "/api/session", dict(jar, Host="evil.example:%d" % port))
    check("another Host (DNS rebinding): refused", st in (403, 421), st)
    st, _, _ = request(port, "GET", "/api/session", dict(jar, Origin="http://localhost:%d" % port))
    check("the console's own Origin is accepted", st == 200, st)
    return jar


# ---- the browser ---------------------------------------------------------------------------

def browser(download_dir):
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--disable-extensions", "--no-first-run",
                "--force-device-scale-factor=1", "--lang=en-US"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": download_dir,
                                           "download.prompt_for_download": False})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    except WebDriverException as e:
        missing("a working headless Chromium (%s)" % str(e).splitlines()[0])
    drv.set_page_load_timeout(WAIT)
    drv.set_script_timeout(WAIT)
    return drv


class Page:
    def __init__(self, drv, base, downloads):
        self.d = drv
        self.downloads = downloads
        self.base = base

    def wait(self, cond, what, timeout=WAIT):
        try:
            return WebDriverWait(self.d, timeout, poll_frequency=0.05).until(lambda d: cond())
        except TimeoutException:
            check("in time: " + what, False, "(%d s)" % timeout)
            return None

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def go(self, route, what):
        before = self.js("return document.body.dataset.ready || ''")
        self.js("window.location.hash = arguments[0]", route)
        return self.wait(lambda: self.js("return document.body.dataset.ready || ''") not in ("", before)
                         and self.js("return document.body.dataset.view") == route.split("/")[1], what)

    def view_ready(self, name, what):
        return self.wait(lambda: self.js("return document.body.dataset.view === arguments[0] && "
                                         "!document.getElementById('main').hasAttribute('aria-busy')", name), what)

    def all(self, css):
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="main"):
        els = self.all(css)
        return els[0].text if els else ""

    def shot(self, name):
        """The top of the page (up to 1200 CSS pixels high), at 3/4 scale, as console-NAME.png."""
        os.makedirs(SHOTS, exist_ok=True)
        self.js("window.scrollTo(0, 0)")
        width = int(self.js("return document.documentElement.clientWidth"))
        height = min(1200, int(self.js("return document.documentElement.scrollHeight")))
        shot = self.d.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 0.75}})
        with open(os.path.join(SHOTS, "console-%s.png" % name), "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def keys(self, *keys):
        ActionChains(self.d).send_keys(*keys).perform()

    def tab_to(self, predicate_js, what, limit=120):
        """Presses Tab until document.activeElement satisfies predicate_js (bounded)."""
        for _ in range(limit):
            self.keys(Keys.TAB)
            if self.js("const el = document.activeElement; return !!(" + predicate_js + ");"):
                return True
        check("keyboard reaches " + what, False, "(%d Tab presses)" % limit)
        return False

    def download(self, css, name):
        """Clicks the link css and returns the text of the file it downloads (bounded)."""
        target = os.path.join(self.downloads, name)
        self.d.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": self.downloads})
        self.all(css)[0].click()
        if not self.wait(lambda: os.path.exists(target) and os.path.getsize(target) > 0, "the download of " + name):
            return ""
        with open(target, encoding="utf-8") as f:
            return f.read()

    def ax_tree(self):
        self.d.execute_cdp_cmd("Accessibility.enable", {})
        nodes = self.d.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
        out = []
        for n in nodes:
            if n.get("ignored"):
                continue
            role = (n.get("role") or {}).get("value", "")
            name = (n.get("name") or {}).get("value", "")
            out.append((role, name))
        return out


def ax_check(page, view, wanted):
    """wanted: [(role, name regex)] that must be present; and no focusable control unnamed."""
    tree = page.ax_tree()
    for role, pattern in wanted:
        check("%s: accessibility tree has %s %r" % (view, role, pattern),
              any(r == role and re.search(pattern, n) for r, n in tree),
              sorted({(r, n) for r, n in tree if r == role})[:12])
    unnamed = [(r, n) for r, n in tree
               if r in ("button", "checkbox", "textbox", "combobox", "link", "radio") and not n.strip()]
    check("%s: every button, link and field has a name" % view, not unnamed, unnamed)


def run(page, base, port, jar, env):
    d = page.d
    # ---- overview and the scan, with its progress --------------------------------------
    d.get(base)
    page.wait(lambda: page.js("return document.body.dataset.ready"), "the overview loads")
    check("the token in the URL became a session (redirected to /)", "token=" not in d.current_url, d.current_url)
    check("the overview has its heading", page.text("h1") == "Organization overview", page.text("h1"))
    check("before any scan the overview says so", "No scan yet" in page.text(), page.text()[:300])
    ax_check(page, "overview", [("button", r"^Scan now$"), ("navigation", r"Views"), ("link", r"^Graph$"),
                                ("heading", r"Organization overview")])
    page.keys(Keys.TAB)
    check("the first Tab stop is the skip link", page.js("return document.activeElement.className") == "skip",
          page.js("return document.activeElement.outerHTML"))
    page.keys(Keys.ENTER)
    check("the skip link moves the focus to the content and keeps the view",
          page.js("return document.activeElement.id") == "main" and page.js("return location.hash") == "#/overview",
          page.js("return [document.activeElement.id, location.hash]"))
    page.all("#scan-button")[0].click()
    saw_progress = page.wait(lambda: page.js("const p = document.querySelector('.progress');"
                                             "return (p && !p.hidden && p.textContent.length > 0) || "
                                             "!!document.querySelector('.view-overview table');"), "the scan starts")
    check("the scan shows progress (aria-live) or finishes", bool(saw_progress))
    page.wait(lambda: page.all(".view-overview table caption"), "the scan finishes and the overview shows it", 60)
    body = page.text()
    check("overview: the live instance's region has 1 instance",
          re.search(r"us-east-1\s+1\s+1\s+0", body) is not None, body[:800])
    check("overview: the findings are listed", "domain-without-instance" in body and "orphaned-connect-role" in body)
    check("overview: regions where nothing was found are folded", "ap-northeast-2" not in page.text("main table"))
    page.shot("overview")
    page.all("#show-empty")[0].click()
    check("overview: ... and shown on request", "ap-northeast-2" in page.text("main table"))

    # ---- the graph: leftovers marked, live resources not --------------------------------
    page.go("#/graph", "the graph loads")
    page.wait(lambda: page.all("svg.graph g.node"), "graph nodes drawn")
    nodes = page.js("return Array.from(document.querySelectorAll('svg.graph g.node')).map(g => ({"
                    "label: g.getAttribute('aria-label'), leftover: g.dataset.leftover, id: g.dataset.id,"
                    "kind: g.dataset.kind, text: g.textContent, fill: g.querySelector('rect').getAttribute('fill'),"
                    "dash: g.querySelector('rect').getAttribute('stroke-dasharray')}))")

    def node(label):
        return next((n for n in nodes if re.search(r"\b%s\b" % re.escape(label), n["label"] or "")), None)

    for name in sorted(LEFTOVERS):
        n = node(name)
        check("graph: %s is marked as a leftover" % name,
              n is not None and n["leftover"] == "true" and "LEFTOVER" in n["text"] and "hatch" in (n["fill"] or "")
              and n["dash"] and "leftover" in n["label"], n)
    for name in sorted(LIVE):
        n = node(name)
        check("graph: %s is not marked" % name,
              n is not None and n["leftover"] == "false" and "LEFTOVER" not in n["text"] and "in use" in n["label"], n)
    dom = node(ORPHAN_DOMAIN)
    check("graph: the orphan domain's finding says how sure it is", dom is not None and "certain" in dom["text"], dom)
    edges = page.js("return document.querySelectorAll('svg.graph path.edge').length")
    check("graph: instance -> domain -> role edges drawn", edges >= 3, edges)
    svg = page.download("#export-svg", "cpwarden-graph.svg")
    check("graph exports as a standalone SVG", svg.startswith("<?xml") and "<svg" in svg and ORPHAN_DOMAIN in svg
          and "LEFTOVER" in svg and "tabindex" not in svg, svg[:200])
    st, hd, data = request(port, "GET", "/api/graph.dot", jar)
    check("graph exports as Graphviz DOT", st == 200 and data.lstrip().startswith(b"digraph") and ORPHAN_DOMAIN.encode() in data,
          (st, data[:200]))
    hrefs = page.js("return Array.from(document.querySelectorAll('nav.exports a')).map(a => a.getAttribute('href'))")
    check("graph page offers JSON, CSV, Markdown, SVG and DOT", {"/api/graph?format=json", "/api/graph?format=csv",
                                                             "/api/graph?format=md", "/api/graph.dot"} <= set(hrefs), hrefs)
    st, hd, data = request(port, "GET", "/api/graph?format=csv", jar)
    check("the CSV export is an attachment", st == 200 and "attachment" in hd.get("content-disposition", ""), (st, hd))
    labels = "return Array.from(document.querySelectorAll('svg.graph g.node')).map(g => g.getAttribute('aria-label'))"
    page.all("#graph-leftovers")[0].click()
    page.wait(lambda: len(page.js(labels)) < len(nodes), "the leftovers-only filter redraws the graph")
    shown = " ".join(page.js(labels))
    check("graph filter: the leftovers stay, the resources in use that touch none go",
          all(n in shown for n in LEFTOVERS) and "live-contact-center" not in shown and LIVE_DOMAIN not in shown, shown)
    page.all("#graph-leftovers")[0].click()
    page.wait(lambda: len(page.js(labels)) == len(nodes), "the whole graph again")
    ax_check(page, "graph", [("checkbox", r"only leftovers"), ("combobox", r"^Account$"),("button", r"^Domain %s .*leftover.*Enter opens its finding" % ORPHAN_DOMAIN),
                             ("button", r"^Instance live-contact-center .*in use"), ("link", r"^SVG$")])
    page.shot("graph")

    # ---- keyboard: Tab to the orphan domain's node, Enter opens its finding ------------------
    page.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0,0);"
            "document.getElementById('main').focus();")
    want = "el.dataset && el.dataset.kind === 'domain' && el.dataset.leftover === 'true'"
    if page.tab_to(want, "the orphan domain's graph node"):
        check("the focused node shows a visible focus style",
              page.js("const r = document.activeElement.querySelector('rect');"
                      "return getComputedStyle(r).strokeWidth") in ("5px", "5"))
        focused = "return document.activeElement.getAttribute('aria-label') || ''"
        page.keys(Keys.ARROW_RIGHT)
        check("graph: Right arrow moves to the domain's role", "OrphanDomainRole0002" in page.js(focused), page.js(focused))
        page.keys(Keys.ARROW_LEFT)
        check("graph: Left arrow comes back to the domain", page.js(focused).startswith("Domain " + ORPHAN_DOMAIN), page.js(focused))
        page.keys(Keys.ENTER)
    page.wait(lambda: page.js("return location.hash.startsWith('#/finding/') && document.body.dataset.view === 'finding'"),
              "Enter on the node opens its finding")
    page.view_ready("finding", "the finding page")
    text = page.text()
    check("finding: its kind is the heading", page.text("h1") == "Finding: domain-without-instance", page.text("h1"))
    items = [e.text for e in page.all("ol.evidence li")]
    check("finding: the evidence is listed", len(items) >= 2 and any(ORPHAN_DOMAIN in i for i in items), items)
    check("finding: the heading has the focus after navigation",
          page.js("return document.activeElement === document.querySelector('h1')"))
    check("finding: exports offered", "/api/findings/" in " ".join(
        page.js("return Array.from(document.querySelectorAll('nav.exports a')).map(a => a.getAttribute('href'))")))
    page.shot("finding")
    # Keys only: add the finding to the plan selection, then go to the plan.
    if page.tab_to("el.id === 'select-finding'", "the add-to-plan button"):
        page.keys(Keys.ENTER)
        page.wait(lambda: page.js("return document.getElementById('select-finding').getAttribute('aria-pressed') === 'true'"),
                  "the finding is selected")

    # ---- the domain page ------------------------------------------------------------------
    page.go("#/domain/%s/eu-west-2/%s" % (ACCOUNT, ORPHAN_DOMAIN), "the domain page")
    page.view_ready("domain", "the domain page")
    text = page.text()
    check("domain: configuration, profiles, integrations, documentation, backups",
          all(h in text for h in ("Configuration summary", "Profiles", "Integrations", "Documentation", "Backups")), text[:400])
    check("domain: the documentation is rendered as text (no markup from the answer)",
          page.js("return document.querySelectorAll('.doc script, .doc iframe, .doc img').length") == 0 and
          (ORPHAN_DOMAIN in page.text(".doc") or "Not available" in text), page.text(".doc")[:300])
    page.shot("domain")

    # ---- the plan, keys only -----------------------------------------------------------------
    page.go("#/plan", "the plan page")
    page.view_ready("plan", "the plan page")
    boxes = page.js("return Array.from(document.querySelectorAll('input[name=finding]')).map(b => ({id: b.value, "
                    "checked: b.checked, disabled: b.disabled}))")
    check("plan: the finding chosen on its page is preselected", sum(1 for b in boxes if b["checked"]) == 1, boxes)
    check("plan: a finding that names nothing safe to delete cannot be selected", any(b["disabled"] for b in boxes), boxes)
    ax_check(page, "plan", [("checkbox", r"^Select domain-without-instance %s$" % ORPHAN_DOMAIN),
                            ("button", r"^Build and save the plan$"), ("button", r"^Select all plannable$")])
    page.js("document.getElementById('main').focus()")
    if page.tab_to("el.id === 'select-all'", "the select-all button"):
        page.keys(Keys.ENTER)
    n_sel = page.js("return document.querySelectorAll('input[name=finding]:checked').length")
    check("plan: every plannable finding selected from the keyboard", n_sel == sum(1 for b in boxes if not b["disabled"]), n_sel)
    # Space on a checkbox toggles it: off and on again.
    if page.tab_to("el.name === 'finding' && !el.disabled", "a finding's checkbox"):
        page.keys(Keys.SPACE)
        off = page.js("return document.activeElement.checked")
        page.keys(Keys.SPACE)
        check("plan: Space toggles a checkbox", off is False and page.js("return document.activeElement.checked") is True)
    if page.tab_to("el.id === 'build-plan'", "the build button"):
        page.keys(Keys.ENTER)
    page.wait(lambda: page.all("#plan-saved") or page.all(".plan-result .error"), "the plan is built and saved", 60)
    text = page.text()
    check("plan: saved under a name", bool(page.all("#plan-saved")), page.text(".plan-result")[:400])
    check("plan: the pre-deletion checklist is shown", "Associated instances checked" in text and "Backup planned" in text, text[-1500:])
    check("plan: the impact is shown", "Impact" in text and re.search(r"Profiles\s+2", text) is not None, text[-1500:])
    check("plan: the actions in order", "delete-domain" in text and "delete-service-linked-role" in text)
    check("plan: the new heading has the focus", page.js("return document.activeElement.id") == "plan-saved")
    plan_name = (page.text("#plan-saved").replace("Plan ", "", 1).rsplit(" saved", 1)[0]).strip()
    st, hd, data = request(port, "GET", "/api/plans/" + urllib.parse.quote(plan_name), jar)
    doc = json.loads(data) if st == 200 else {}
    check("plan: the file downloads, as `cpwarden plan` writes it", doc.get("format") == "cpwarden-plan"
          and len(doc.get("checksum", "")) == 64 and "attachment" in hd.get("content-disposition", ""), (st, data[:200]))
    page.shot("plan")

    # ---- apply: the typed confirmation, a wrong one first; every step live ----------------------
    if page.tab_to("el.id === 'go-apply'", "the apply link"):
        page.keys(Keys.ENTER)
    page.wait(lambda: page.js("return document.body.dataset.view === 'apply' && !!document.getElementById('confirmation')"),
              "the apply page with the confirmation field")
    check("apply: the saved plan is chosen", page.js("return document.getElementById('plan-select').value") == plan_name)
    check("apply: the server's prompt is shown", len(page.text("#confirm-prompt")) > 0)
    ax_check(page, "apply", [("textbox", r"Confirmation"), ("combobox", r"^Saved plan$"), ("button", r"^Apply the plan$")])
    if page.tab_to("el.id === 'confirmation'", "the confirmation field"):
        page.keys("000000000000", Keys.ENTER)
        page.wait(lambda: page.all("#apply-message .error"), "a wrong confirmation is refused")
        check("apply: a wrong confirmation is refused, nothing runs",
              "ConfirmationMismatch" in page.text("#apply-message") and page.all("#run[hidden]"), page.text("#apply-message"))
        check("apply: the field is marked invalid", page.js("return document.getElementById('confirmation').getAttribute('aria-invalid')") == "true")
        check("apply: the focus is back in the field", page.js("return document.activeElement.id") == "confirmation")
        ActionChains(d).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.BACKSPACE).perform()
        check("apply: the field is cleared from the keyboard", page.js("return document.activeElement.value") == "")
        page.keys(ACCOUNT, Keys.ENTER)
    page.wait(lambda: page.all("#outcome"), "the apply finishes", 90)
    rows = page.js("return Array.from(document.querySelectorAll('#steps tbody tr')).map(r => r.textContent)")
    check("apply: finished, completed, exit status 0", "completed" in page.text("#outcome") and "exit status 0" in page.text("#outcome"),
          page.text("#run")[:600])
    check("apply: every action appears as a step", len(rows) == len(doc.get("actions", [])) and len(rows) > 0, (len(rows), rows[:3]))
    check("apply: the domain's deletion step is done", any("delete-domain" in r and "done" in r for r in rows), rows)
    check("apply: the progress bar is full", page.js("const p = document.querySelector('#run progress'); return p.value === p.max"))
    check("apply: progress is announced (aria-live)", page.js("return document.querySelector('#run [aria-live]').textContent").startswith("Apply finished"))
    page.shot("apply")

    # ---- history ------------------------------------------------------------------------------
    page.all("#see-history")[0].click()
    page.view_ready("history", "the history page")
    page.wait(lambda: page.all(".view-history table"), "the history table")
    text = page.text()
    check("history: the run's deletions are there", "delete-domain" in text and ORPHAN_DOMAIN in text, text[:600])
    results = page.js("return Array.from(document.querySelectorAll('#history-result option')).map(o => o.value)")
    check("history: the results recorded are offered as a filter", "done" in results, results)
    rows_all = page.js("return document.querySelectorAll('.view-history tbody tr').length")
    if "done" in results:
        Select(page.all("#history-result")[0]).select_by_value("done")
        cells = page.js("return Array.from(document.querySelectorAll('.view-history tbody tr td:nth-child(8)'))"
                        ".map(td => td.textContent)")
        check("history: filtered to one result", cells and all(c.endswith("done") for c in cells)
              and (len(cells) < rows_all or len(results) == 2), (len(cells), rows_all, results))
    ax_check(page, "history", [("combobox", r"^Run$"), ("combobox", r"^Result$")])
    Select(page.all("#history-result")[0]).select_by_value("")
    page.shot("history")

    # ---- a second scan, then the snapshots and their diff ---------------------------------------
    page.go("#/overview", "the overview again")
    page.view_ready("overview", "the overview again")
    page.all("#scan-button")[0].click()
    page.wait(lambda: page.js("return !!document.querySelector('.view-overview table caption') && "
                              "!/domain-without-instance/.test(document.getElementById('main').textContent)"),
              "the second scan shows no orphan domain", 60)
    page.go("#/snapshots", "the snapshots page")
    page.view_ready("snapshots", "the snapshots page")
    page.wait(lambda: page.all("#diff-button"), "two snapshots to compare")
    if page.all("#diff-button"):
        page.all("#diff-button")[0].click()
        page.wait(lambda: page.all("#diff-result h3"), "the diff")
        text = page.text("#diff-result")
        check("snapshots: the diff shows what disappeared", "disappeared" in text and ORPHAN_DOMAIN in text, text[:500])
    page.shot("snapshots")

    # ---- audit: the stored report of `cpwarden audit` -----------------------------------------
    subprocess.run([CPWARDEN, "audit", "--endpoint-url", ENDPOINT, "--regions", "all", "--output", "json"],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    page.go("#/audit", "the audit page")
    page.view_ready("audit", "the audit page")
    text = page.text()
    check("audit: the latest report is shown", "violation" in text and "cloudtrail" in text, text[:500])
    page.shot("audit")
    page.all("#run-audit")[0].click()
    page.wait(lambda: not page.js("return document.getElementById('run-audit').disabled"), "the audit request answers", 90)
    check("audit: after Run, a new report or the server's reason, and a report still shown",
          (page.all("#audit-message .error") or "violation" in page.text("#audit-report"))
          and "cloudtrail" in page.text("#audit-report"), page.text()[:500])

    # ---- doctor: `cpwarden doctor`'s checks, run from the page ---------------------------------
    page.go("#/doctor", "the doctor page")
    page.view_ready("doctor", "the doctor page")
    page.all("#run-doctor")[0].click()
    page.wait(lambda: page.all("#doctor-summary"), "the doctor checks answer", 90)
    text = page.text("#doctor-report")
    check("doctor: the checks are listed with the caller's identity",
          "identity" in text and "permission" in text and ACCOUNT in text, text[:500])
    page.shot("doctor")

    errors = [e for e in d.get_log("browser") if e.get("level") == "SEVERE"
              and "Content Security Policy" in e.get("message", "")]
    check("no Content-Security-Policy violation in the browser", not errors, errors)
    shots = sorted(os.listdir(SHOTS)) if os.path.isdir(SHOTS) else []
    check("a screenshot of each view", len(shots) >= 9, shots)


ENDPOINT = ""


def main():
    global ENDPOINT
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="cpw-browser-")
    env = isolated_env(tmp)
    sandbox = console = drv = None
    try:
        sandbox, ENDPOINT = start_sandbox(tmp, env)
        console, url, port, token = start_console(env, ENDPOINT)
        jar = security_checks(port, token)
        downloads = os.path.join(tmp, "downloads")
        os.makedirs(downloads)
        drv = browser(downloads)
        page = Page(drv, url, downloads)
        run(page, url, port, jar, env)
    finally:
        if drv:
            drv.quit()
        stop(console)
        if console:
            check("the console exits 0 on SIGTERM", console.returncode == 0, console.returncode)
        stop(sandbox)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed (%.0f s)" % (PASSED, FAILED, time.monotonic() - started))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
