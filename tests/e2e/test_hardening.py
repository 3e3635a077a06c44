"""Hardening of what cpwarden reads, writes and prints, driven through the real binary:

* files that receive account data are never written through a symbolic link: `inventory
  --output-file LINK` and `backup --output-file LINK` are refused (exit 252) before a single
  request, the sandbox's `--data DIR`
  with a link at DIR/sandbox.db is refused (exit 253), and the files the links point to keep their
  content and mode;
* ~/.aws/credentials or ~/.aws/config that is a FIFO or a directory is refused at once (exit 253,
  "... is not a regular file (a FIFO)") instead of blocking forever or failing vaguely;
* `inventory` honours AWS_MAX_ATTEMPTS (and the profile's max_attempts) when AWS_RETRY_MODE is
  not set: a stub server that always answers 500 counts exactly that many attempts;
* an AWS error whose code and message carry terminal escapes ("\\x1b[2J" clears the screen) is
  printed with them escaped, by `inventory` (the scan-error table) and by `api`.

The stub server listens on 127.0.0.1 only, on an ephemeral port. Run by CTest with
/usr/bin/python3."""
import http.server
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
import time

CPWARDEN = os.environ["CPWARDEN"]
PASSED = 0
FAILED = 0
ESCAPES = ("\x1b", "\x07", "\x9b")

STS_OK = b"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/hardening</Arn>
    <UserId>AIDAHARDENINGEXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000001</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"""

QUERY_ERROR = b"""<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code>
<Message>stub failure</Message></Error><RequestId>stub-1</RequestId></ErrorResponse>"""

EVIL_MESSAGE = "\x1b[2Jscreen cleared \x1b]0;pwned\x07 \u009b31m"


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAILED:", name, detail)


class Stub(http.server.BaseHTTPRequestHandler):
    """mode "fail": every request gets a 500; mode "evil": STS answers, everything else gets a
    JSON-protocol AccessDenied whose code and message carry terminal escapes."""
    mode = "fail"
    count = 0
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with Stub.lock:
            Stub.count += 1
        if Stub.mode == "fail":
            self._send(500, "text/xml", QUERY_ERROR)
        elif b"Action=GetCallerIdentity" in body:
            self._send(200, "text/xml", STS_OK)
        elif b"Action=" in body:
            self._send(403, "text/xml", b"<ErrorResponse><Error><Type>Sender</Type>"
                       b"<Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>")
        else:
            doc = json.dumps({"message": EVIL_MESSAGE}).encode()
            self._send(403, "application/json", doc,
                       {"x-amzn-ErrorType": "AccessDenied\x1b[5mException"})

    def _send(self, status, ctype, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", "stub-request")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer


def env_for(tmp, endpoint=None, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("NO_COLOR",)}
    env.update({
        "HOME": tmp,
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.path.join(tmp, "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "credentials"),
        "XDG_STATE_HOME": os.path.join(tmp, "state"),
    })
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    env.update(extra)
    return env


def run(args, env, timeout=60):
    return subprocess.run([CPWARDEN, *args], env=env, capture_output=True, timeout=timeout)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_links(tmp, endpoint):
    victim = os.path.join(tmp, "victim")
    write(victim, "precious\n")
    os.chmod(victim, 0o644)
    link = os.path.join(tmp, "inventory.json")
    os.symlink(victim, link)
    Stub.mode, Stub.count = "fail", 0
    p = run(["inventory", "--regions", "us-east-1", "--no-save", "--output-file", link],
            env_for(tmp, endpoint))
    err = p.stderr.decode(errors="replace")
    check("inventory --output-file LINK exits 252", p.returncode == 252, (p.returncode, err))
    check("the refusal names the link", "inventory.json is a symbolic link" in err, err)
    check("refused before any request", Stub.count == 0, Stub.count)
    with open(victim) as f:
        check("the link's target keeps its content", f.read() == "precious\n")
    check("the link's target keeps its mode", stat.S_IMODE(os.stat(victim).st_mode) == 0o644)
    check("the link is still a link", os.path.islink(link))

    Stub.count = 0
    p = run(["backup", "--domain", "d1", "--output-file", link], env_for(tmp, endpoint))
    err = p.stderr.decode(errors="replace")
    check("backup --output-file LINK exits 252", p.returncode == 252, (p.returncode, err))
    check("backup names the link", "inventory.json is a symbolic link" in err, err)
    check("backup refused before any request", Stub.count == 0, Stub.count)
    with open(victim) as f:
        check("backup leaves the link's target alone", f.read() == "precious\n")

    Stub.count = 0
    p = run(["plan", "--regions", "us-east-1", "-o", link], env_for(tmp, endpoint))
    err = p.stderr.decode(errors="replace")
    check("plan -o LINK exits 252", p.returncode == 252, (p.returncode, err))
    check("plan names the link", "inventory.json is a symbolic link" in err, err)
    check("plan refused before any request", Stub.count == 0, Stub.count)
    with open(victim) as f:
        check("plan leaves the link's target alone", f.read() == "precious\n")

    data = os.path.join(tmp, "sandbox-data")
    os.mkdir(data, 0o700)
    os.symlink(victim, os.path.join(data, "sandbox.db"))
    p = run(["sandbox", "--port", "0", "--data", data], env_for(tmp), timeout=30)
    err = p.stderr.decode(errors="replace")
    check("sandbox --data with a linked database exits 253", p.returncode == 253,
          (p.returncode, err))
    check("the sandbox names the link", "sandbox.db is a symbolic link" in err, err)
    with open(victim) as f:
        check("the database link's target keeps its content", f.read() == "precious\n")
    check("the database link's target keeps its mode",
          stat.S_IMODE(os.stat(victim).st_mode) == 0o644)


def test_non_regular_aws_files(tmp):
    for which, var in (("credentials", "AWS_SHARED_CREDENTIALS_FILE"),
                       ("config", "AWS_CONFIG_FILE")):
        for kind in ("FIFO", "directory"):
            path = os.path.join(tmp, "%s-%s" % (which, kind))
            if kind == "FIFO":
                os.mkfifo(path, 0o600)
            else:
                os.mkdir(path, 0o700)
            started = time.monotonic()
            try:
                p = run(["inventory", "--regions", "us-east-1", "--no-save"],
                        env_for(tmp, "http://127.0.0.1:9", **{var: path}), timeout=20)
            except subprocess.TimeoutExpired:
                check("%s as a %s does not block" % (which, kind), False, "timed out")
                continue
            err = p.stderr.decode(errors="replace")
            name = "%s as a %s" % (which, kind)
            check(name + " exits 253", p.returncode == 253, (p.returncode, err))
            check(name + " is named", "%s is not a regular file (a %s)" % (path, kind) in err, err)
            check(name + " is refused at once", time.monotonic() - started < 10)


def test_max_attempts(tmp, endpoint):
    cases = [
        ("AWS_MAX_ATTEMPTS=2 without AWS_RETRY_MODE", {"AWS_MAX_ATTEMPTS": "2"}, "", 2),
        ("AWS_MAX_ATTEMPTS=1 without AWS_RETRY_MODE", {"AWS_MAX_ATTEMPTS": "1"}, "", 1),
        ("the profile's max_attempts = 2", {}, "[default]\nmax_attempts = 2\n", 2),
        ("no setting: the default 3", {}, "", 3),
    ]
    for name, extra, config, expected in cases:
        write(os.path.join(tmp, "config"), config)
        Stub.mode, Stub.count = "fail", 0
        p = run(["inventory", "--regions", "us-east-1", "--no-save"],
                env_for(tmp, endpoint, **extra), timeout=120)
        check(name + ": inventory fails", p.returncode != 0, p.returncode)
        check(name + ": %d attempt(s)" % expected, Stub.count == expected, Stub.count)
    write(os.path.join(tmp, "config"), "")


def test_escapes(tmp, endpoint):
    Stub.mode, Stub.count = "evil", 0
    p = run(["inventory", "--regions", "us-east-1", "--no-save", "--output", "table"],
            env_for(tmp, endpoint, AWS_MAX_ATTEMPTS="1"))
    out = p.stdout.decode("utf-8", errors="replace") + p.stderr.decode("utf-8", errors="replace")
    check("inventory ran with scan errors", p.returncode == 3, (p.returncode, out[-2000:]))
    check("inventory prints no terminal control", not any(c in out for c in ESCAPES),
          repr(out[-2000:]))
    check("inventory shows the message escaped", "\\x1b[2Jscreen cleared" in out, out[-2000:])

    p = run(["api", "customer-profiles", "list-domains"], env_for(tmp, endpoint,
                                                                  AWS_MAX_ATTEMPTS="1"))
    err = p.stderr.decode("utf-8", errors="replace")
    check("api exits 254 on the AWS error", p.returncode == 254, (p.returncode, err))
    check("api prints no terminal control", not any(c in err for c in ESCAPES), repr(err))
    check("api shows code and message escaped",
          "AccessDenied\\x1b[5mException" in err and "\\x1b]0;pwned\\x07" in err
          and "\\xc2\\x9b31m" in err, err)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = "http://127.0.0.1:%d" % server.server_address[1]
    with tempfile.TemporaryDirectory(prefix="cpw-hardening-") as tmp:
        write(os.path.join(tmp, "config"), "")
        write(os.path.join(tmp, "credentials"), "")
        test_links(tmp, endpoint)
        test_non_regular_aws_files(tmp)
        test_max_attempts(tmp, endpoint)
        test_escapes(tmp, endpoint)
    server.shutdown()
    print("hardening: %d passed, %d failed" % (PASSED, FAILED))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
