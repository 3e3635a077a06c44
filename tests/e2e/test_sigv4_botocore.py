"""Verification of requests signed by an independent signer: Debian's botocore.

botocore (python3-botocore) signs requests the way the AWS CLI and boto3 send them to the
services cpwarden speaks: rest-json GET with awkward path characters and a query, rest-json PUT
with a JSON body, query-protocol POST form bodies (IAM, STS), json 1.1 POST with X-Amz-Target,
each with and without a session token, plus a presigned URL. Each request is written as a raw
HTTP file and `cpwarden sign --verify` must accept it; then each is tampered with (body, signed
header, path, query, clock, secret, key, scope, missing parts) and the exact AWS error code is
asserted. Exit 77 (skipped) when botocore cannot be imported.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

try:
    from botocore.auth import SigV4Auth, SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"botocore is not importable ({exc}); skipped")
    sys.exit(77)

CPWARDEN = os.environ.get("CPWARDEN")
if not CPWARDEN or not os.access(CPWARDEN, os.X_OK):
    print("CPWARDEN is not set to the built binary; skipped")
    sys.exit(77)

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "FQoGZXIvYXdzEXAMPLETOKEN//+=="
REGION = "eu-west-1"
ENDPOINT = "http://127.0.0.1:4566"

CASES = [
    {
        "name": "rest-json GET, odd path and query (profile)",
        "service": "profile",
        "method": "GET",
        "url": ENDPOINT + "/domains/a%20b%3Ac%2Fd~e%25f?max-results=5&next-token=a%20b%2Fc%2Bd%3De%26f~g%2Ah",
        "headers": {},
        "body": b"",
    },
    {
        "name": "rest-json PUT with JSON body (connect)",
        "service": "connect",
        "method": "PUT",
        "url": ENDPOINT + "/instance",
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"IdentityManagementType": "CONNECT_MANAGED", "InstanceAlias": "x y",
                            "InboundCallsEnabled": True, "OutboundCallsEnabled": True}).encode(),
    },
    {
        "name": "query POST (iam ListRoles)",
        "service": "iam",
        "method": "POST",
        "url": ENDPOINT + "/",
        "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        "body": b"Action=ListRoles&Version=2010-05-08&PathPrefix=%2Faws-service-role%2Fprofile.amazonaws.com%2F",
    },
    {
        "name": "query POST (sts GetCallerIdentity)",
        "service": "sts",
        "method": "POST",
        "url": ENDPOINT + "/",
        "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        "body": b"Action=GetCallerIdentity&Version=2011-06-15",
    },
    {
        "name": "json 1.1 POST with X-Amz-Target (organizations)",
        "service": "organizations",
        "method": "POST",
        "url": ENDPOINT + "/",
        "headers": {"Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"},
        "body": b"{}",
    },
]

passed = 0
failed = 0
workdir = tempfile.mkdtemp(prefix="cpw-sigv4-botocore-")


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}" + (f"\n    {detail}" if detail else ""))


def write_context(name, akid=AKID, secret=SECRET, token=None, service=None):
    creds = {"access_key_id": akid, "secret_access_key": secret}
    if token:
        creds["token"] = token
    ctx = {"credentials": creds}
    if service:
        ctx["service"] = service
    path = os.path.join(workdir, name + ".json")
    with open(path, "w") as f:
        json.dump(ctx, f)
    return path


def sign(case, token, presign=False):
    """Signs the case with botocore; returns (raw request bytes, X-Amz-Date)."""
    creds = Credentials(AKID, SECRET, token)
    req = AWSRequest(method=case["method"], url=case["url"], data=case["body"],
                     headers=dict(case["headers"]))
    if presign:
        SigV4QueryAuth(creds, case["service"], REGION, expires=300).add_auth(req)
    else:
        SigV4Auth(creds, case["service"], REGION).add_auth(req)
    prepared = req.prepare()
    split = urlsplit(prepared.url)
    target = split.path + ("?" + split.query if split.query else "")
    lines = [f"{prepared.method} {target} HTTP/1.1", f"Host: {split.netloc}"]
    for name, value in prepared.headers.items():
        lines.append(f"{name}: {value}")
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    # Sent but never signed, as botocore and urllib3 add them after signing.
    lines.append("User-Agent: Botocore/test")
    lines.append("Accept-Encoding: identity")
    lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    amz_date = req.context["timestamp"]
    return raw, amz_date


def verify(raw, context, now, name):
    path = os.path.join(workdir, f"request-{passed + failed}.http")
    with open(path, "wb") as f:
        f.write(raw)
    proc = subprocess.run([CPWARDEN, "sign", "--verify", "--context", context, "--now", now, path],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, proc.stdout.strip(), proc.stderr.strip()


def expect(raw, context, now, name, code, message_part=None):
    rc, out, err = verify(raw, context, now, name)
    if code == "OK":
        check(rc == 0 and out == "OK", f"{name}: accepted", f"rc={rc} out={out!r} err={err!r}")
        return
    ok = rc == 1 and out.startswith(code + ": ")
    if message_part is not None:
        ok = ok and message_part in out
    check(ok, f"{name}: {code}", f"rc={rc} out={out!r} err={err!r}")
    check(SECRET not in out + err, f"{name}: secret not printed")


def shift(amz_date, seconds):
    import calendar
    import time
    t = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")) + seconds
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def replace_once(raw, old, new):
    assert old in raw, (old, raw)
    return raw.replace(old, new, 1)


ctx_plain = write_context("plain")
ctx_token = write_context("token", token=TOKEN)
ctx_wrong_secret = write_context("wrong-secret", secret=SECRET[:-1] + "X")
ctx_unknown_key = write_context("unknown-key", akid="AKIDOTHEREXAMPLE")

for index, case in enumerate(CASES):
    for token in (None, TOKEN):
        tag = f"case{index}{'-token' if token else ''}"
        label = f"{case['name']}{' + session token' if token else ''}"
        ctx = ctx_token if token else ctx_plain
        raw, amz_date = sign(case, token)
        expect(raw, ctx, amz_date, f"{label}", "OK")
        # The verifier also checks the service when the context names one.
        ctx_service = write_context(f"{tag}-service", token=token, service=case["service"])
        expect(raw, ctx_service, amz_date, f"{label} [service checked]", "OK")

        if case["body"]:
            # The body is last: change its final byte, keeping the length.
            assert raw.endswith(case["body"])
            tampered = raw[:-1] + (b"X" if raw[-1:] != b"X" else b"Y")
            expect(tampered, ctx, amz_date, f"{label} / body changed", "SignatureDoesNotMatch")
        expect(replace_once(raw, b"Host: 127.0.0.1:4566", b"Host: 127.0.0.1:4567"), ctx, amz_date,
               f"{label} / host header changed", "SignatureDoesNotMatch")
        if case["headers"]:
            hname, hvalue = next(iter(case["headers"].items()))
            expect(replace_once(raw, f"{hname}: {hvalue}".encode(), f"{hname}: {hvalue}x".encode()),
                   ctx, amz_date, f"{label} / {hname} changed", "SignatureDoesNotMatch")
        path = urlsplit(case["url"]).path.encode()
        expect(replace_once(raw, b" " + path, b" " + path + (b"x" if path != b"/" else b"y")),
               ctx, amz_date, f"{label} / path changed", "SignatureDoesNotMatch")
        first_line_end = raw.index(b" HTTP/1.1")
        sep = b"&" if b"?" in raw[:first_line_end] else b"?"
        expect(raw[:first_line_end] + sep + b"extra=1" + raw[first_line_end:], ctx, amz_date,
               f"{label} / query changed", "SignatureDoesNotMatch")
        expect(raw, ctx, shift(amz_date, 16 * 60), f"{label} / clock 16 min later",
               "SignatureDoesNotMatch", "Signature expired: " + amz_date)
        expect(raw, ctx, shift(amz_date, -16 * 60), f"{label} / clock 16 min earlier",
               "SignatureDoesNotMatch", "Signature not yet current: " + amz_date)
        expect(raw, ctx, shift(amz_date, 14 * 60), f"{label} / clock 14 min later", "OK")
        expect(raw, write_context(f"{tag}-ws", secret=SECRET[:-1] + "X", token=token), amz_date,
               f"{label} / wrong secret", "SignatureDoesNotMatch",
               "The request signature we calculated does not match")
        expect(raw, ctx_unknown_key, amz_date, f"{label} / unknown access key",
               "InvalidClientTokenId", "The security token included in the request is invalid.")
        other = "sts" if case["service"] != "sts" else "iam"
        expect(raw, write_context(f"{tag}-scope", token=token, service=other), amz_date,
               f"{label} / wrong scope service", "SignatureDoesNotMatch",
               f"Credential should be scoped to correct service: '{other}'.")
        if token:
            expect(raw, ctx_plain, amz_date, f"{label} / token sent for a long-term key",
                   "InvalidClientTokenId")
        else:
            expect(raw, ctx_token, amz_date, f"{label} / token missing for a temporary key",
                   "InvalidClientTokenId")
        no_auth = b"\r\n".join(l for l in raw.split(b"\r\n") if not l.startswith(b"Authorization:"))
        expect(no_auth, ctx, amz_date, f"{label} / no Authorization",
               "MissingAuthenticationToken")
        auth_start = raw.index(b", Signature=")
        no_sig = raw[:auth_start] + raw[raw.index(b"\r\n", auth_start):]
        expect(no_sig, ctx, amz_date, f"{label} / Authorization without Signature",
               "IncompleteSignature", "Authorization header requires 'Signature' parameter.")

# A presigned URL from botocore's query signer.
for token in (None, TOKEN):
    case = CASES[0]
    label = "presigned GET" + (" + session token" if token else "")
    ctx = ctx_token if token else ctx_plain
    raw, amz_date = sign(case, token, presign=True)
    expect(raw, ctx, amz_date, label, "OK")
    expect(raw, ctx, shift(amz_date, 301), f"{label} / after X-Amz-Expires", "RequestExpired",
           "Request has expired.")
    expect(replace_once(raw, b"max-results=5", b"max-results=6"), ctx, amz_date,
           f"{label} / query changed", "SignatureDoesNotMatch")

shutil.rmtree(workdir, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
