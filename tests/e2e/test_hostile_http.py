"""HTTP corner cases and request smuggling answered as AWS would (docs/sandbox.md, "Hostile
clients"), each over a raw socket against the real sandbox:

* two different Content-Length headers: 400 at once; Transfer-Encoding other than chunked
  ("gzip, chunked"): 501 at once, not a hang until the idle timeout; a 100 KB target: 414;
  HTTP/1.1 without Host: 400;
* a malformed Authorization header: IncompleteSignature in the format of the service the request
  is for (XML for the query services, JSON with __type for the JSON ones, x-amzn-ErrorType for
  the REST-JSON ones), not STS's MissingAuthenticationToken;
* "%00" or another control character in a REST path label or query value: 400 in the service's
  format, and nothing is created or deleted under the truncated name (Customer Profiles domains,
  TagResource ARNs, Connect instance ids);
* query protocol: a POST's parameters come from its signed form body; a parameter in the query
  string does not override it;
* the total connection cap (--max-connections 4): a fifth connection is closed at once, and
  served again once the others have gone;
* the whole-request deadline does not count the sandbox's own time: with --request-timeout 1 and
  the latency knob at 1.5 s the answer still arrives.

Bounded: a few dozen requests. Run by CTest with /usr/bin/python3."""
import json
import os
import socket
import sys
import time
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_lib as h  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
JSON = {"Content-Type": "application/json"}


def main():
    c = h.Checks()
    with tempfile.TemporaryDirectory() as tmp:
        proc, host, port = h.start_sandbox(tmp)
        hp = f"{host}:{port}"

        def send(data, timeout=3.0):
            return h.exchange(host, port, data, timeout=timeout)

        def sig(method, path, service, body=b"", headers=None, query=""):
            return send(h.signed(method, host, port, path, service, body=body, headers=headers,
                                 query=query))

        try:
            # --- framing -------------------------------------------------------------------
            st, _, _, took = send(h.raw("POST", "/", {"Content-Length": "5",
                                                      "content-length": "7"}, host=hp)
                                  + b"abcdefg")
            c.check("two Content-Length values: 400", st == 400 and took < 2, f"{st} {took:.2f}")
            st, _, _, took = send(h.raw("POST", "/", {"Transfer-Encoding": "gzip, chunked"},
                                        host=hp) + b"5\r\nabcde\r\n0\r\n\r\n")
            c.check("Transfer-Encoding gzip, chunked: 501 at once", st == 501 and took < 2,
                    f"{st} {took:.2f}")
            st, _, _, _ = send(h.raw("POST", "/", {"Transfer-Encoding": "chunked",
                                                   "Content-Length": "5"}, host=hp)
                               + b"5\r\nabcde\r\n0\r\n\r\n")
            c.check("chunked with Content-Length: 400", st == 400, str(st))
            st, _, _, _ = send(h.raw("GET", "/" + "a" * 100000, {}, host=hp))
            c.check("100 KB target: 414", st == 414, str(st))
            st, _, _, _ = send(h.raw("GET", "/", {}))
            c.check("HTTP/1.1 without Host: 400", st == 400, str(st))
            st, _, _, _ = send(h.sts_caller(host, port))
            c.check("a well-formed request still works", st == 200, str(st))

            # --- malformed Authorization, per service format --------------------------------
            bad = {"Authorization": "AWS4-HMAC-SHA256 garbage", "X-Amz-Date": "20260101T000000Z"}
            st, hd, body, _ = send(h.raw("POST", "/", {**bad, **FORM},
                                         b"Action=GetCallerIdentity&Version=2011-06-15", host=hp))
            c.check("query service: 400 IncompleteSignature in XML",
                    st == 400 and b"<Code>IncompleteSignature</Code>" in body, f"{st} {body[:200]}")
            st, hd, body, _ = send(h.raw(
                "POST", "/", {**bad, "Content-Type": "application/x-amz-json-1.1",
                              "X-Amz-Target": "AWSOrganizationsV20161128.ListAccounts"}, b"{}",
                host=hp))
            doc = json.loads(body or b"{}")
            c.check("JSON service: 400 IncompleteSignature in JSON",
                    st == 400 and "IncompleteSignature" in doc.get("__type", ""),
                    f"{st} {body[:200]}")
            st, hd, body, _ = send(h.raw("GET", "/domains", bad, host=hp))
            c.check("REST-JSON service: IncompleteSignature in x-amzn-ErrorType (403, API Gateway)",
                    st == 403 and hd.get("x-amzn-errortype", "").startswith("IncompleteSignature")
                    and body.startswith(b"{"), f"{st} {hd} {body[:200]}")

            st, hd, body, _ = send(h.raw(
                "GET", "/domains?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=garbage"
                "&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
                "&X-Amz-Signature=00", {}, host=hp))
            c.check("malformed presigned credential: IncompleteSignature, not a missing token",
                    hd.get("x-amzn-errortype", "").startswith("IncompleteSignature"),
                    f"{st} {hd} {body[:200]}")
            st, hd, body, _ = send(h.raw("GET", "/domains", {}, host=hp))
            c.check("no signature at all: MissingAuthenticationToken",
                    st == 403 and hd.get("x-amzn-errortype", "").startswith(
                        "MissingAuthenticationToken"), f"{st} {hd}")

            # --- NUL and control characters in labels ---------------------------------------
            st, _, _, _ = sig("POST", "/domains/keepme", "profile", b'{"DefaultExpirationDays": 5}',
                              JSON)
            c.check("domain keepme created", st == 200, str(st))
            st, hd, body, _ = sig("DELETE", "/domains/keepme%00-not-this-one", "profile")
            c.check("DELETE with %00 in the label: 400 BadRequestException",
                    st == 400 and hd.get("x-amzn-errortype", "").startswith("BadRequestException"),
                    f"{st} {hd.get('x-amzn-errortype')} {body[:200]}")
            st, _, _, _ = sig("GET", "/domains/keepme", "profile")
            c.check("keepme still there", st == 200, str(st))
            st, _, _, _ = sig("POST", "/domains/a%00b", "profile", b'{"DefaultExpirationDays": 5}',
                              JSON)
            c.check("POST /domains/a%00b: 400", st == 400, str(st))
            st, _, _, _ = sig("GET", "/domains/a", "profile")
            c.check("no domain 'a' created", st == 404, str(st))
            st, _, _, _ = sig("POST", "/domains/a%01b", "profile", b'{"DefaultExpirationDays": 5}',
                              JSON)
            c.check("control character %01 in a label: 400", st == 400, str(st))
            arn = "arn%3Aaws%3Aprofile%3Aus-east-1%3A123456789012%3Adomains%2Fkeepme"
            st, _, _, _ = sig("POST", f"/tags/{arn}%00x", "profile", b'{"tags": {"k": "v"}}', JSON)
            c.check("TagResource ARN with %00: 400", st == 400, str(st))
            st, _, _, _ = sig("GET", "/domains", "profile", query="max-results=5%00")
            c.check("%00 in a REST query value: 400", st == 400, str(st))
            st, hd, body, _ = sig("GET", "/instance/abc%00def", "connect")
            c.check("Connect instance id with %00: 400", st == 400, f"{st} {body[:200]}")

            # --- query protocol: the body's parameters win ----------------------------------
            policy = '{"Version":"2012-10-17","Statement":[]}'
            from urllib.parse import urlencode
            body = urlencode({"Action": "CreateRole", "Version": "2010-05-08",
                              "RoleName": "body-role", "AssumeRolePolicyDocument": policy})
            st, _, resp, _ = sig("POST", "/", "iam", body.encode(), FORM,
                                 query="RoleName=query-role")
            c.check("CreateRole answered", st == 200, f"{st} {resp[:300]}")
            c.check("the body's RoleName is used", b"<RoleName>body-role</RoleName>" in resp,
                    resp[:300])
            get = urlencode({"Action": "GetRole", "Version": "2010-05-08",
                             "RoleName": "query-role"})
            st, _, _, _ = sig("POST", "/", "iam", get.encode(), FORM)
            c.check("no role named by the query string", st == 404, str(st))
            nul = body.replace("RoleName=body-role", "RoleName=cut%00short")
            st, _, resp, _ = sig("POST", "/", "iam", nul.encode(), FORM)
            c.check("%00 in a query-protocol parameter: 400 in XML",
                    st == 400 and resp.startswith(b"<ErrorResponse"), f"{st} {resp[:200]}")
            get = urlencode({"Action": "GetRole", "Version": "2010-05-08", "RoleName": "cut"})
            st, _, _, _ = sig("POST", "/", "iam", get.encode(), FORM)
            c.check("no role named by the part before %00", st == 404, str(st))
        finally:
            h.stop_sandbox(proc, c)

        # --- the total connection cap ---------------------------------------------------------
        proc, host, port = h.start_sandbox(tmp, "--max-connections", "4", "--threads", "2")
        idle = []
        try:
            # Four kept-alive connections, each proven accepted by an answered request.
            for _ in range(4):
                s = socket.create_connection((host, port), timeout=5)
                idle.append(s)
                s.sendall(h.sts_caller(host, port))
                st, _, _, _ = h.read_answer(s, time.monotonic())
                c.check("kept-alive connection answered", st == 200, str(st))
            st, _, _, took = h.exchange(host, port, h.sts_caller(host, port), timeout=5)
            c.check("a fifth connection over --max-connections 4 is closed at once",
                    st is None and took < 2, f"{st} {took:.2f}")
            for s in idle:
                s.close()
            idle = []
            st = None
            for _ in range(50):  # the server notices the closes within milliseconds
                st, _, _, _ = h.exchange(host, port, h.sts_caller(host, port), timeout=5)
                if st == 200:
                    break
                time.sleep(0.05)
            c.check("served again once the others are gone", st == 200, str(st))
        finally:
            for s in idle:
                s.close()
            h.stop_sandbox(proc, c)

        # --- the deadline counts the client's time, not the sandbox's own ----------------------
        proc, host, port = h.start_sandbox(tmp, "--request-timeout", "1", "--latency-ms", "1500")
        try:
            st, _, _, took = h.exchange(host, port, h.sts_caller(host, port), timeout=10)
            c.check("an answer slower than --request-timeout (latency knob) still arrives",
                    st == 200 and took >= 1.5, f"{st} {took:.2f}")
        finally:
            h.stop_sandbox(proc, c)
    c.finish("hostile_http")


if __name__ == "__main__":
    main()
