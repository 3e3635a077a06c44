"""Shared pieces of the hostile-client tests (tests/e2e/test_hostile_*.py): start the sandbox on
an ephemeral loopback port, sign requests with botocore, send raw bytes over sockets and read one
HTTP answer back, read a process's resident memory. Python 3 standard library plus botocore."""
import os
import socket
import subprocess
import sys
import time

try:
    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials
except ImportError:
    print("skipped: Debian's python3-boto3 (botocore) is not installed")
    sys.exit(77)

CPWARDEN = os.environ["CPWARDEN"]
KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAILED:", name, detail, flush=True)

    def finish(self, label):
        print(f"{label}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def start_sandbox(tmp, *extra):
    """Starts `cpwarden sandbox --port 0` with extra options; returns (process, host, port)."""
    ready = os.path.join(tmp, "ready")
    proc = subprocess.Popen([CPWARDEN, "sandbox", "--port", "0", "--ready-file", ready,
                             "--no-rate-limits", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.path.exists(ready) and os.path.getsize(ready) > 0:
            with open(ready) as f:
                url = f.read().strip()
            hostport = url.split("//", 1)[1]
            host, port = hostport.rsplit(":", 1)
            return proc, host, int(port)
        if proc.poll() is not None:
            raise SystemExit("sandbox exited: " + proc.stderr.read().decode())
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("sandbox did not become ready in 10 s")


def stop_sandbox(proc, checks=None):
    """SIGTERM, then waits; with checks, asserts a clean exit (status 0: under the sanitizers a
    leak or memory error would make it fail)."""
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    if checks is not None:
        checks.check("the sandbox stops cleanly", proc.returncode == 0,
                     f"exit {proc.returncode}: {err.decode(errors='replace')[-2000:]}")


def sanitized(pid):
    """True when the process runs under AddressSanitizer (its allocator holds freed memory in
    quarantine and keeps shadow memory, so resident sizes are several times larger)."""
    with open(f"/proc/{pid}/maps") as f:
        return "asan" in f.read()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def signed(method, host, port, path, service, body=b"", headers=None, query=""):
    """A SigV4-signed request as raw HTTP/1.1 bytes. path and query go on the wire as given."""
    url = f"http://{host}:{port}{path}" + (f"?{query}" if query else "")
    req = botocore.awsrequest.AWSRequest(method=method, url=url, data=body,
                                         headers=dict(headers or {}))
    creds = botocore.credentials.Credentials(KEY, SECRET)
    botocore.auth.SigV4Auth(creds, service, "us-east-1").add_auth(req)
    return raw(method, path + (f"?{query}" if query else ""), dict(req.headers.items()), body,
               host=f"{host}:{port}")


def raw(method, target, headers, body=b"", host=None, version="HTTP/1.1"):
    lines = [f"{method} {target} {version}"]
    names = {k.lower() for k in headers}
    if host and "host" not in names:
        lines.append(f"Host: {host}")
    for k, v in headers.items():
        lines.append(f"{k}: {v}")
    if body and "content-length" not in names and "transfer-encoding" not in names:
        lines.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return data + (body if isinstance(body, bytes) else body.encode())


def exchange(host, port, data, timeout=5.0, source=None):
    """Sends data on a fresh connection and reads one answer: (status, headers, body, seconds).
    status is None when the server closed without answering, "timeout" when nothing came back in
    time."""
    start = time.monotonic()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        if source:
            s.bind((source, 0))
        s.connect((host, port))
        s.sendall(data)
        return read_answer(s, start)
    except socket.timeout:
        return "timeout", {}, b"", time.monotonic() - start
    except (ConnectionResetError, BrokenPipeError):
        return None, {}, b"", time.monotonic() - start
    finally:
        s.close()


def read_answer(s, start):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return None, {}, buf, time.monotonic() - start
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest, time.monotonic() - start


def sts_caller(host, port):
    return signed("POST", host, port, "/", "sts", body=b"Action=GetCallerIdentity&Version=2011-06-15",
                  headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
