"""The sandbox driven by Debian's boto3 (python3-boto3): 200 concurrent requests from several
clients with nothing lost, pagination across pages, and the modelled exceptions boto3 raises.

Run by CTest with /usr/bin/python3. Exit 77 (skipped) when boto3 is not importable."""
import concurrent.futures
import os
import sys
import tempfile
import sandbox_lib

try:
    import boto3
    import botocore.config
    import botocore.exceptions
except ImportError:
    print("skipped: Debian's python3-boto3 is not installed")
    sys.exit(77)

CPWARDEN = os.environ["CPWARDEN"]
PASSED = 0
FAILED = 0


def check(name, cond):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAILED:", name)


def start_sandbox(tmp):
    ready = os.path.join(tmp, "ready")
    return sandbox_lib.start_sandbox(CPWARDEN, ready, [
        "--slr-deletion-delay-ms", "0"
    ])


def client(service, endpoint, **kw):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=kw.get("key", "AKIAIOSFODNN7EXAMPLE"),
                        aws_secret_access_key=kw.get("secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                        aws_session_token=kw.get("token"),
                        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                                      max_pool_connections=16))


def main():
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(var, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        proc, endpoint = start_sandbox(tmp)
        try:
            iam = client("iam", endpoint)
            # Pagination: 25 roles, pages of 10 -> 3 pages, nothing lost or repeated.
            for i in range(25):
                iam.create_role(RoleName=f"page-role-{i:02d}", Path="/paging/",
                                AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
            pages = list(iam.get_paginator("list_roles").paginate(PathPrefix="/paging/",
                                                                  PaginationConfig={"PageSize": 10}))
            names = [r["RoleName"] for p in pages for r in p["Roles"]]
            check("3 pages", len(pages) == 3)
            check("25 distinct roles", len(names) == 25 and len(set(names)) == 25)

            # Modelled exceptions.
            try:
                iam.get_role(RoleName="does-not-exist")
                check("NoSuchEntity raised", False)
            except iam.exceptions.NoSuchEntityException as e:
                check("NoSuchEntity status", e.response["ResponseMetadata"]["HTTPStatusCode"] == 404)
                check("request id present", bool(e.response["ResponseMetadata"].get("RequestId")))

            # 200 concurrent requests from 4 clients (threads), nothing lost.
            clients = [client("sts", endpoint) for _ in range(4)]

            def call(i):
                return clients[i % 4].get_caller_identity()["Account"]

            with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
                accounts = list(pool.map(call, range(200)))
            check("200 concurrent answers", len(accounts) == 200)
            check("all correct", all(a == "123456789012" for a in accounts))

            # A wrong secret is refused with SignatureDoesNotMatch (HTTP 403).
            bad = client("sts", endpoint, secret="not-the-secret")
            try:
                bad.get_caller_identity()
                check("bad secret refused", False)
            except botocore.exceptions.ClientError as e:
                check("SignatureDoesNotMatch", e.response["Error"]["Code"] == "SignatureDoesNotMatch")
                check("403", e.response["ResponseMetadata"]["HTTPStatusCode"] == 403)
        finally:
            proc.terminate()
            rc = proc.wait(timeout=10)
            check("sandbox exits 0 on SIGTERM", rc == 0)
    print(f"{PASSED} passed, {FAILED} failed")
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
