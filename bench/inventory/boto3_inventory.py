#!/usr/bin/python3
"""boto3_inventory.py - the inventory the way a careful Python script would do it: boto3 (Debian's
python3-boto3) with a thread pool, one task per account x region plus one per account for IAM,
AssumeRole into OrganizationAccountAccessRole for every member. Same calls as cpwarden's
collector (docs/inventory-schema.md, "Collection"). Prints one JSON line: seconds, calls, errors.

usage: boto3_inventory.py ENDPOINT REGIONS(comma) [WORKERS]
"""
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

ENDPOINT = sys.argv[1]
REGIONS = sys.argv[2].split(",")
WORKERS = int(sys.argv[3]) if len(sys.argv) > 3 else 16
CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 10}, max_pool_connections=WORKERS)
lock = threading.Lock()
counts = {"calls": 0, "errors": 0}


def count(n=1):
    with lock:
        counts["calls"] += n


def client(creds, service, region):
    return boto3.client(service, endpoint_url=ENDPOINT, region_name=region, config=CONFIG, **creds)


def session_for(account, caller):
    root = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    if account == caller:
        return root
    sts = client(root, "sts", "us-east-1")
    c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/OrganizationAccountAccessRole" % account,
                        RoleSessionName="inventory")["Credentials"]
    count()
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def regional(creds, region):
    connect = client(creds, "connect", region)
    profiles = client(creds, "customer-profiles", region)
    kwargs = {}
    while True:
        page = connect.list_instances(**kwargs)
        count()
        for inst in page["InstanceSummaryList"]:
            connect.describe_instance(InstanceId=inst["Id"])
            profiles.list_account_integrations(Uri=inst["Arn"])
            count(2)
        if not page.get("NextToken"):
            break
        kwargs = {"NextToken": page["NextToken"]}
    kwargs = {}
    while True:  # ListDomains has no paginator in botocore: NextToken by hand
        page = profiles.list_domains(**kwargs)
        count()
        for d in page["Items"]:
            profiles.get_domain(DomainName=d["DomainName"])
            profiles.list_integrations(DomainName=d["DomainName"])
            count(2)
        if not page.get("NextToken"):
            break
        kwargs = {"NextToken": page["NextToken"]}


def iam_part(creds):
    iam = client(creds, "iam", "us-east-1")
    for prefix in ("/aws-service-role/profile.amazonaws.com/",
                   "/aws-service-role/connect.amazonaws.com/"):
        for page in iam.get_paginator("list_roles").paginate(PathPrefix=prefix):
            count()
            for role in page["Roles"]:
                iam.get_role(RoleName=role["RoleName"])
                count()


def guarded(fn, *args):
    try:
        fn(*args)
    except Exception as e:  # a part that fails is counted, the rest goes on
        with lock:
            counts["errors"] += 1
        print("error: %s" % e, file=sys.stderr)


def main():
    start = time.monotonic()
    root = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
    caller = client(root, "sts", "us-east-1").get_caller_identity()["Account"]
    orgs = client(root, "organizations", "us-east-1")
    accounts = [a["Id"] for page in orgs.get_paginator("list_accounts").paginate()
                for a in page["Accounts"] if a["Status"] == "ACTIVE"]
    count(2)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        def account_task(account):
            creds = session_for(account, caller)
            futures = [pool.submit(guarded, iam_part, creds)]
            futures += [pool.submit(guarded, regional, creds, r) for r in REGIONS]
            return futures
        firsts = [pool.submit(account_task, a) for a in accounts]
        for f in firsts:
            for g in f.result():
                g.result()
    print(json.dumps({"seconds": round(time.monotonic() - start, 3), "calls": counts["calls"],
                      "errors": counts["errors"], "accounts": len(accounts)}))


if __name__ == "__main__":
    main()
