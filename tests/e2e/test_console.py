"""cpwarden console against `cpwarden sandbox --scenario orphans`, with Python's http.client:
the token -> cookie exchange and the refusals (no token, a wrong token, no cookie, a foreign
Origin, a wrong Host, a missing or forged CSRF token), the security headers; a scan followed on
its event stream; the overview; the graph with its leftovers matching `cpwarden inventory`'s
findings, and its Graphviz DOT; a plan of the selected findings byte-for-byte the document
`cpwarden plan --finding` writes for the same findings; apply refused with a wrong
confirmation, then run with the right one (a second apply at once: 409), each journal step seen
on the stream, then done; history showing the run; the CSV and Markdown exports; a snapshot diff;
SIGTERM stopping the console with exit 0.

Run by CTest with /usr/bin/python3. Every wait is bounded."""
import csv
import fcntl
import http.client
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import sandbox_lib

CPWARDEN = os.environ["CPWARDEN"]
PASSED = 0
FAILED = 0
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")
LEFTOVER_KINDS = {"orphaned-connect-role", "orphaned-profile-role", "legacy-profile-role",
                  "domain-without-instance", "unattached-domain"}
FAST = ["--poll-interval", "20ms", "--wait", "2s", "--retry-interval", "50ms"]


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAILED:", name, detail)


def start_sandbox(tmp):
    ready = os.path.join(tmp, "ready")
    return sandbox_lib.start_sandbox(CPWARDEN, ready, [
        "--scenario", "orphans", "--no-rate-limits", "--knob",
        "domain_role_cleanup_ms=200", "--slr-deletion-delay-ms", "100",
        # every answer 20 ms late: an apply (dozens of calls) is still
        # running when the test asks for a second one
        "--latency-ms", "20"
    ])


def start_console(env, *extra):
    proc = subprocess.Popen([CPWARDEN, "console", "--port", "0", *FAST, *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ready, _, _ = select.select([proc.stdout], [], [], 30)
    if not ready:
        proc.kill()
        raise SystemExit("the console printed no address in 30 s")
    line = proc.stdout.readline().decode().strip()
    prefix = "cpwarden console: "
    if not line.startswith(prefix):
        proc.kill()
        raise SystemExit("unexpected first line: %r %s" % (line, proc.stderr.read().decode()))
    return proc, line[len(prefix):]


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = None
        self.csrf = None

    def request(self, method, path, body=None, headers=None, cookie=True, csrf=True, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {"Host": "127.0.0.1:%d" % self.port}
        if cookie and self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if body is not None:
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def json(self, method, path, body=None, **kw):
        status, headers, data = self.request(method, path, body, **kw)
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return status, doc

    def events(self, path, timeout=120):
        """Reads a server-sent event stream to its end: [(event, data)]."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        conn.request("GET", path, headers={"Host": "127.0.0.1:%d" % self.port,
                                           "Cookie": self.cookie})
        resp = conn.getresponse()
        out = []
        event = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = resp.readline()  # chunked framing decoded; "" at the stream's end
            if not line:
                break
            line = line.decode().rstrip("\r\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, json.loads(line[6:])))
        conn.close()
        return resp.status, resp.getheader("Content-Type"), out


def cli(env, *args):
    p = subprocess.run([CPWARDEN, *args], env=env, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def main():
    tmp = tempfile.mkdtemp(prefix="cpw-console-")
    sandbox, endpoint = start_sandbox(tmp)
    env = dict(os.environ)
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(k, None)
    env.update({"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
                "AWS_CONFIG_FILE": os.path.join(tmp, "aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "aws-credentials"),
                "AWS_EC2_METADATA_DISABLED": "true", "XDG_STATE_HOME": os.path.join(tmp, "state"),
                "XDG_CONFIG_HOME": os.path.join(tmp, "config")})
    console = None
    try:
        console, url = start_console(env)
        run(env, url, tmp)
        console.terminate()
        try:
            rc = console.wait(timeout=30)
        except subprocess.TimeoutExpired:
            console.kill()
            rc = None
        errors = console.stderr.read().decode() if rc is not None else ""
        check("SIGTERM stops the console with exit 0", rc == 0, (rc, errors[-2000:]))
        check("the console's stderr holds no token and no sanitizer report",
              url.split("token=", 1)[1] not in errors and "Sanitizer" not in errors,
              errors[-2000:])
        console = None
        # --open hands the address to xdg-open (here a stand-in that records it); SIGINT stops.
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        opened = os.path.join(tmp, "opened")
        with open(os.path.join(bindir, "xdg-open"), "w") as f:
            f.write("#!/bin/sh\nprintf '%%s' \"$1\" > '%s'\n" % opened)
        os.chmod(os.path.join(bindir, "xdg-open"), 0o755)
        env2 = dict(env, PATH=bindir + os.pathsep + env.get("PATH", "/usr/bin:/bin"))
        console, url2 = start_console(env2, "--open")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (os.path.exists(opened) and
                                                   os.path.getsize(opened) > 0):
            time.sleep(0.05)
        check("--open runs xdg-open with the address",
              os.path.exists(opened) and open(opened).read() == url2)
        console.send_signal(signal.SIGINT)
        try:
            rc = console.wait(timeout=30)
        except subprocess.TimeoutExpired:
            console.kill()
            rc = None
        check("SIGINT stops the console with exit 0", rc == 0, rc)
        console = None
    finally:
        if console:
            console.kill()
            console.wait()
        sandbox.terminate()
        sandbox.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True) if not os.environ.get("KEEP") else print(tmp)
    print("%d passed, %d failed" % (PASSED, FAILED))
    return 1 if FAILED else 0


def run(env, url, tmp):
    check("the address is on 127.0.0.1 with a token",
          url.startswith("http://127.0.0.1:") and "/?token=" in url, url)
    port = int(url.split(":")[2].split("/")[0])
    token = url.split("token=", 1)[1]
    check("the token is 32 random bytes in base64url", len(token) == 43 and
          all(c.isalnum() or c in "-_" for c in token), token)
    c = Client(port)

    # ---- security -----------------------------------------------------------------------------
    status, doc = c.json("GET", "/api/session")
    check("no cookie: 401 Unauthorized (JSON)",
          status == 401 and doc["error"]["code"] == "Unauthorized", (status, doc))
    status, headers, body = c.request("GET", "/")
    check("no token, no cookie: the 401 page", status == 401 and b"401" in body, status)
    status, headers, body = c.request("GET", "/?token=" + "A" * 43)
    check("a wrong token: 401, no cookie", status == 401 and "set-cookie" not in headers, status)
    status, headers, body = c.request("GET", "/?token=" + token,
                                      headers={"Host": "evil.example:%d" % port})
    check("a foreign Host (DNS rebinding): 421, no cookie",
          status == 421 and "set-cookie" not in headers, status)
    status, headers, body = c.request("GET", "/?token=" + token)
    cookie = headers.get("set-cookie", "")
    check("the right token: 303 to / with the session cookie",
          status == 303 and headers.get("location") == "/" and cookie.startswith("cpw_session="),
          (status, headers))
    check("the cookie is HttpOnly, SameSite=Strict, Path=/",
          "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie, cookie)
    check("the session cookie is not the access token", token not in cookie, cookie)
    c.cookie = cookie.split(";")[0]
    status, headers, body = c.request("GET", "/")
    check("with the cookie: the page", status == 200 and
          headers.get("content-type", "").startswith("text/html") and b"<html" in body, status)
    check("the strict CSP", headers.get("content-security-policy") == CSP,
          headers.get("content-security-policy"))
    check("nosniff, no referrer", headers.get("x-content-type-options") == "nosniff" and
          headers.get("referrer-policy") == "no-referrer", headers)
    check("the page has no inline script or style",
          b"<script>" not in body and b"<style" not in body and b"style=" not in body)
    status, headers, body = c.request("GET", "/assets/app.js")
    check("an embedded asset is served as JavaScript",
          status == 200 and "javascript" in headers.get("content-type", ""), (status, headers))
    status, headers, body = c.request("GET", "/api/session",
                                      headers={"Host": "attacker.example"})
    check("a wrong Host with the cookie: 421", status == 421, status)
    status, headers, body = c.request("GET", "/api/session",
                                      headers={"Host": "127.0.0.1:%d" % (port + 1)})
    check("another port in Host: 421", status == 421, status)
    status, headers, body = c.request("GET", "/api/session",
                                      headers={"Origin": "http://evil.example"})
    check("a foreign Origin: 403", status == 403 and
          json.loads(body)["error"]["code"] == "ForbiddenOrigin", (status, body))
    status, headers, body = c.request("GET", "/api/session",
                                      headers={"Origin": "http://localhost:%d" % port})
    check("this origin (localhost): allowed", status == 200, status)
    status, headers, body = c.request("GET", "/api/session")
    session = json.loads(body)
    check("the session names the caller and a CSRF token",
          session["identity"]["account"] == "123456789012" and
          len(session["csrf_token"]) == 43 and session["csrf_token"] != token, session)
    check("Cache-Control: no-store on /api", headers.get("cache-control") == "no-store", headers)
    check("the session carries no credentials", b"wJalrXUtnFEMI" not in body and
          b"AKIAIOSFODNN7EXAMPLE" not in body)
    status, doc = c.json("POST", "/api/scan", {})
    check("POST without the CSRF token: 403 InvalidCsrfToken",
          status == 403 and doc["error"]["code"] == "InvalidCsrfToken", (status, doc))
    c.csrf = "B" * 43
    status, doc = c.json("POST", "/api/scan", {})
    check("a forged CSRF token: 403", status == 403 and
          doc["error"]["code"] == "InvalidCsrfToken", (status, doc))
    c.csrf = session["csrf_token"]
    status, doc = c.json("POST", "/api/scan", {}, cookie=False)
    check("the CSRF token without the cookie: 401", status == 401, status)
    status, doc = c.json("GET", "/api/overview")
    check("no scan yet: 404 NoScan", status == 404 and doc["error"]["code"] == "NoScan",
          (status, doc))

    # ---- scan -----------------------------------------------------------------------------------
    status, doc = c.json("POST", "/api/scan", {})
    check("scan: 202 with its id", status == 202 and doc.get("scan_id"), (status, doc))
    status, ctype, events = c.events("/api/scan/%s/events" % doc["scan_id"])
    kinds = [e for e, _ in events]
    check("the scan's stream is text/event-stream", status == 200 and
          ctype.startswith("text/event-stream"), (status, ctype))
    check("the scan reports progress, then done", "progress" in kinds and kinds[-1] == "done",
          kinds)
    progress = [d for e, d in events if e == "progress"]
    check("progress counts parts", progress and progress[-1]["done"] == progress[-1]["total"],
          progress[-1:])
    snapshot = events[-1][1].get("snapshot_id")
    check("done names the stored snapshot", isinstance(snapshot, int) and snapshot > 0, events[-1])

    status, overview = c.json("GET", "/api/overview")
    accounts = {a["account"]: a for a in (overview or {}).get("accounts", [])}
    check("overview: the caller's account", status == 200 and "123456789012" in accounts,
          overview)
    rows = {r["region"]: r for r in accounts["123456789012"]["regions"]}
    check("overview counts the orphan domain's region and the roles",
          rows.get("eu-west-2", {}).get("domains", 0) >= 1 and
          rows.get("global", {}).get("roles", 0) >= 2, rows.get("eu-west-2"))

    # ---- graph vs inventory ---------------------------------------------------------------------
    rc, out, err = cli(env, "inventory", "--no-save", "--output", "json")
    inventory = json.loads(out)
    want = {f["resource_arn"] for f in inventory["findings"] if f["kind"] in LEFTOVER_KINDS}
    status, graph = c.json("GET", "/api/graph")
    leftovers = {n["id"] for n in graph["nodes"] if n["leftover"]}
    check("graph: the leftovers are exactly inventory's leftover findings",
          want and leftovers == want, (leftovers, want))
    check("graph: every node is an instance, a domain or a role",
          all(n["kind"] in ("instance", "domain", "role") for n in graph["nodes"]))
    ids = {n["id"] for n in graph["nodes"]}
    check("graph: edges join known nodes", graph["edges"] and
          all(e["from"] in ids and e["to"] in ids for e in graph["edges"]), graph["edges"][:3])
    check("graph: the orphaned domain is marked, with its finding",
          any(n["kind"] == "domain" and n["label"] == "retired-customers" and n["leftover"] and
              n["finding_id"] for n in graph["nodes"]))
    check("graph: the live domain is not marked",
          any(n["kind"] == "domain" and n["label"] == "live-customers" and not n["leftover"]
              for n in graph["nodes"]))
    status, headers, dot = c.request("GET", "/api/graph.dot")
    dot = dot.decode()
    check("graph.dot: Graphviz DOT", status == 200 and
          headers.get("content-type", "").startswith("text/vnd.graphviz") and
          dot.startswith("digraph cpwarden {") and dot.rstrip().endswith("}"), dot[:80])
    check("graph.dot: every node", all('"%s" [label=' % i in dot for i in ids))
    check("graph.dot: leftovers styled",
          dot.count('class="leftover"') == len(leftovers), dot.count('class="leftover"'))

    # ---- findings ---------------------------------------------------------------------------------
    status, doc = c.json("GET", "/api/findings")
    findings = doc["findings"]
    check("findings: as many as inventory's", len(findings) == len(inventory["findings"]),
          (len(findings), len(inventory["findings"])))
    plannable = [f for f in findings if f["plannable"]]
    domain_finding = next(f for f in plannable if f["kind"] == "domain-without-instance")
    status, doc = c.json("GET", "/api/findings/" + domain_finding["id"])
    check("a finding with its evidence", status == 200 and doc["evidence"] and
          doc == domain_finding, doc)
    status, doc = c.json("GET", "/api/findings/0000000000000000")
    check("an unknown finding: 404", status == 404, status)
    status, doc = c.json("GET", "/api/domain?account=123456789012&region=eu-west-2"
                         "&name=retired-customers")
    check("a domain page: its summary, documentation and backups",
          status == 200 and doc["domain"]["name"] == "retired-customers" and
          "backups" in doc and (doc["documentation"] or "").startswith("#"), doc)

    # ---- plan: byte-for-byte the CLI's --------------------------------------------------------------
    selected = [domain_finding["id"]] + [f["id"] for f in plannable
                                         if f["kind"] == "orphaned-connect-role"]
    status, doc = c.json("POST", "/api/plan", {"finding_ids": selected})
    check("plan: made and saved", status == 200 and doc["name"].endswith(".json"), (status, doc))
    name = doc["name"]
    check("plan: the checklist and the impact", doc["checklist"] and
          doc["impact"]["actions_planned"] > 0, doc.get("impact"))
    status, headers, console_plan = c.request("GET", "/api/plans/" + name)
    check("the plan file, as an attachment", status == 200 and
          "attachment" in headers.get("content-disposition", ""), headers)
    path = os.path.join(tmp, "state", "cpwarden", "plans", name)
    check("the plan is saved 0600", (os.stat(path).st_mode & 0o777) == 0o600,
          oct(os.stat(path).st_mode))
    args = ["plan", "-o", os.path.join(tmp, "cli-plan.json"), "--output", "json"]
    for i in selected:
        args += ["--finding", i]
    rc, out, err = cli(env, *args)
    check("plan --finding exits 0", rc == 0, err)
    with open(os.path.join(tmp, "cli-plan.json"), "rb") as f:
        cli_plan = f.read()
    a = json.loads(console_plan)
    b = json.loads(cli_plan)
    same = cli_plan.replace(b["created_at"].encode(), a["created_at"].encode()) \
                   .replace(b["checksum"].encode(), a["checksum"].encode())
    check("the console's plan is byte for byte the CLI's (the creation time and its checksum "
          "aside)", same == console_plan, (a["created_at"], b["created_at"]))
    check("the plan acts on the selected leftovers only",
          {x["target"]["name"] for x in a["actions"] if x["kind"] == "delete-domain"} ==
          {"retired-customers"} and
          not any(x["target"]["name"] == "live-customers" for x in a["actions"]))
    status, doc = c.json("POST", "/api/plan", {"finding_ids": ["ffffffffffffffff"]})
    check("a plan of an unknown finding: 404", status == 404, (status, doc))
    status, doc = c.json("GET", "/api/plans")
    check("plans lists it", any(p["name"] == name and p["actions"] == len(a["actions"])
                                for p in doc["plans"]), doc)

    # ---- apply --------------------------------------------------------------------------------------
    status, doc = c.json("GET", "/api/plans/%s/confirmation" % name)
    check("the confirmation is apply's prompt", status == 200 and
          "Type the account id(s) to confirm" in doc["prompt"] and
          doc["accounts"] == ["123456789012"], doc)
    status, doc = c.json("POST", "/api/apply", {"plan": name, "confirmation": "111111111111"})
    check("a wrong confirmation: 400 ConfirmationMismatch",
          status == 400 and doc["error"]["code"] == "ConfirmationMismatch", (status, doc))
    status, doc = c.json("POST", "/api/apply", {"plan": "../../etc/passwd",
                                                 "confirmation": "123456789012"})
    check("a plan name with a path: 400", status == 400, status)
    status, doc = c.json("POST", "/api/apply", {"plan": name, "confirmation": "123456789012"},
                         csrf=False)
    check("apply without the CSRF token: 403", status == 403, status)
    # `cpwarden apply` of the same plan elsewhere holds the plan's lock (flock, lock.h): 409.
    locks = os.path.join(tmp, "state", "cpwarden", "locks")
    os.makedirs(locks, mode=0o700, exist_ok=True)
    held = os.open(os.path.join(locks, "plan-%s.lock" % a["checksum"]),
                   os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)
    status, doc = c.json("POST", "/api/apply", {"plan": name, "confirmation": "123456789012"})
    check("the plan being applied by another process: 409 Locked",
          status == 409 and doc["error"]["code"] == "Locked", (status, doc))
    fcntl.flock(held, fcntl.LOCK_UN)
    os.close(held)
    status, doc = c.json("POST", "/api/apply", {"plan": name, "confirmation": "123456789012"})
    check("apply: 202 with its run id", status == 202 and doc.get("run_id"), (status, doc))
    run_id = doc["run_id"]
    status2, doc2 = c.json("POST", "/api/apply", {"plan": name, "confirmation": "123456789012"})
    status, ctype, events = c.events("/api/apply/%s/events" % run_id)
    check("a second apply while the first runs: 409 Locked",
          status2 == 409 and doc2["error"]["code"] == "Locked", (status2, doc2))
    steps = [d for e, d in events if e == "step"]
    planned = [x["id"] for x in a["actions"] if x["status"] == "planned"]
    started = [s["step"] for s in steps if s["status"] == "started"]
    finished = {s["step"]: s["status"] for s in steps if s["status"] != "started"}
    check("the stream shows each planned step started, then its result",
          started == planned and set(finished) == set(planned), (started, planned))
    check("every step done (or already gone)",
          all(v in ("done", "already") for v in finished.values()), finished)
    check("the stream ends with done: completed, exit 0", events and events[-1][0] == "done" and
          events[-1][1]["outcome"] == "completed" and events[-1][1]["exit_code"] == 0,
          events[-1:])
    status, ctype, again = c.events("/api/apply/%s/events" % run_id)
    check("a finished run's stream replays and ends", again == events)

    status, doc = c.json("GET", "/api/history")
    mine = [x for x in doc["changes"] if x["plan"]["checksum"] == a["checksum"]]
    check("history shows the run's steps", len(mine) == len(planned) and
          all(x["result"] in ("done", "already") for x in mine), mine[:2])
    rc, out, err = cli(env, "history", "--output", "json")
    check("the same history as cpwarden history", rc == 0 and json.loads(out) == doc)

    # ---- exports --------------------------------------------------------------------------------------
    status, headers, body = c.request("GET", "/api/findings?format=csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    check("findings as CSV: an attachment that parses, one row per finding",
          status == 200 and headers.get("content-disposition") ==
          'attachment; filename="findings.csv"' and len(rows) == len(findings) and
          {r["id"] for r in rows} == {f["id"] for f in findings}, (status, headers))
    status, headers, body = c.request("GET", "/api/history?format=csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    check("history as CSV", status == 200 and len(rows) == len(doc["changes"]) and
          rows[0]["result"] == doc["changes"][0]["result"], rows[:1])
    status, headers, body = c.request("GET", "/api/overview?format=md")
    check("overview as Markdown", status == 200 and body.startswith(b"# ") and b"|---|" in body,
          body[:80])
    status, headers, body = c.request("GET", "/api/graph?format=json")
    check("graph as a JSON attachment", status == 200 and json.loads(body)["nodes"] and
          "attachment" in headers.get("content-disposition", ""))
    status, doc = c.json("GET", "/api/findings?format=xml")
    check("an unknown format: 400", status == 400, status)

    # ---- a second scan and the diff ----------------------------------------------------------------------
    status, doc = c.json("POST", "/api/scan", {"regions": ["eu-west-2", "us-east-1"]})
    status, ctype, events = c.events("/api/scan/%s/events" % doc["scan_id"])
    second = events[-1][1].get("snapshot_id")
    status, doc = c.json("GET", "/api/snapshots")
    check("snapshots lists both scans", {snapshot, second} <= {s["id"] for s in doc["snapshots"]},
          doc)
    # The console's store stays usable by other processes after apply opened and closed its
    # own store on the same file in the console's process.
    rc, out, err = cli(env, "snapshots", "--output", "json")
    check("cpwarden snapshots (another process) sees the scan made after the apply",
          rc == 0 and second in {s["id"] for s in json.loads(out)["snapshots"]}, (rc, out, err))
    status, doc = c.json("GET", "/api/snapshots/diff?from=%d&to=%d" % (snapshot, second))
    check("the diff shows the deleted domain", status == 200 and
          "retired-customers" in json.dumps(doc), (status, str(doc)[:200]))
    status, doc = c.json("GET", "/api/graph")
    check("the graph after apply: the deleted domain is gone",
          not any(n["label"] == "retired-customers" for n in doc["nodes"]))
    status, doc = c.json("GET", "/api/audit")
    check("no audit yet: 404 NoAudit", status == 404 and doc["error"]["code"] == "NoAudit",
          (status, doc))
    status, report = c.json("POST", "/api/audit", {})
    check("POST /api/audit: a report over the latest scan", status == 200 and
          "results" in report and "rules" in report, (status, str(report)[:200]))
    status, doc = c.json("GET", "/api/audit")
    check("the audit is stored: GET answers it", status == 200 and doc == report)
    rc, out, err = cli(env, "audit", "--from-inventory", "snapshot:%d" % second, "--output",
                       "json", "--no-save")
    cli_report = json.loads(out) if out else {}
    check("the same violations as cpwarden audit --from-inventory snapshot:ID",
          sorted(r["fingerprint"] for r in cli_report.get("results", [])) ==
          sorted(r["fingerprint"] for r in report["results"]),
          (rc, err[-300:]))
    # doctor: `cpwarden doctor`'s checks for the console's credentials, as the CLI prints them
    status, doc = c.json("GET", "/api/doctor")
    checks = doc.get("checks", []) if isinstance(doc, dict) else []
    check("GET /api/doctor: the checks and their worst status", status == 200 and
          doc.get("status") in ("ok", "info", "warn", "fail") and len(checks) > 3,
          (status, str(doc)[:300]))
    check("...the identity row names the caller",
          any(x.get("check") == "identity" and "123456789012" in (x.get("detail") or "")
              for x in checks), checks[:3])
    check("...and the actions each command needs were simulated",
          any(x.get("check") == "permission" for x in checks),
          sorted({x.get("check") for x in checks}))
    rc, out, err = cli(env, "doctor", "--output", "json")
    cli_doc = json.loads(out) if out else {}
    check("the same checks as cpwarden doctor (by check and subject)",
          sorted((x["check"], x.get("subject") or "") for x in checks if x["check"] != "clock") ==
          sorted((x["check"], x.get("subject") or "") for x in cli_doc.get("checks", [])
                 if x["check"] != "clock"), (rc, err[-300:]))
    status, _, raw = c.request("GET", "/api/doctor?format=csv")
    rows = list(csv.reader(io.StringIO(raw.decode()))) if status == 200 else []
    check("doctor exports as CSV, one row per check", status == 200 and
          len(rows) == len(checks) + 1, (status, len(rows), len(checks)))


if __name__ == "__main__":
    sys.exit(main())
