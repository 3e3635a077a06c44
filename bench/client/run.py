"""bench/client/run.py - the client's per-call work, cpwarden's libcpw against botocore, one run.

For ListRoles, GetDomain, ListInstances, LookupEvents and CreateServiceLinkedRole: validate and
serialize a representative input, sign the request with SigV4 (botocore's SigV4Auth; the
signing key derived every call on both sides), prepare the final request, and parse a canned
representative response (bench/client/data/) into the output document (with IAM's policy
documents decoded, as boto3's after-call handler and libcpw's client both do). No network on either
side. The C side is cpw-bench-client (bench/client/bench_client.c), run from here so that both
measurements share one run on one machine. Both sides count CPU time (not wall time), so that
other work on a shared machine skews the figures less. Prints a Markdown table with ops/s and the
ratio, with the load average before and after.

usage: /usr/bin/python3 bench/client/run.py BUILD_DIR [C_ITERATIONS] [PY_ITERATIONS]
"""
import json
import os
import subprocess
import sys
import time

import botocore
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.handlers
import botocore.model
import botocore.parsers
import botocore.serialize
import botocore.session
import botocore.validate

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

# service, operation, endpoint, region, input, response file, content type (as bench_client.c)
CASES = [
    ("iam", "ListRoles", "https://iam.amazonaws.com", "us-east-1",
     {"PathPrefix": "/aws-service-role/profile.amazonaws.com/", "MaxItems": 20},
     "ListRoles.xml", "text/xml"),
    ("customer-profiles", "GetDomain", "https://profile.eu-west-2.amazonaws.com", "eu-west-2",
     {"DomainName": "retired-customers"}, "GetDomain.json", "application/json"),
    ("connect", "ListInstances", "https://connect.eu-west-2.amazonaws.com", "eu-west-2",
     {"MaxResults": 10, "NextToken": "eyJvZmZzZXQiOiAwfQ=="}, "ListInstances.json",
     "application/json"),
    ("cloudtrail", "LookupEvents", "https://cloudtrail.eu-west-2.amazonaws.com", "eu-west-2",
     {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "DeleteDomain"}],
      "MaxResults": 10}, "LookupEvents.json", "application/x-amz-json-1.1"),
    ("iam", "CreateServiceLinkedRole", "https://iam.amazonaws.com", "us-east-1",
     {"AWSServiceName": "profile.amazonaws.com", "Description": "Customer Profiles domain role",
      "CustomSuffix": "Suffix00000000000001"}, "CreateServiceLinkedRole.xml", "text/xml"),
]


def botocore_ops_per_s(session, case, iterations):
    service, operation, endpoint, region, params, response_file, content_type = case
    loader = session.get_component("data_loader")
    model = botocore.model.ServiceModel(loader.load_service_model(service, "service-2"), service)
    op = model.operation_model(operation)
    protocol = model.metadata["protocol"]
    serializer = botocore.serialize.create_serializer(protocol, include_validation=True)
    parser = botocore.parsers.create_parser(protocol)
    creds = botocore.credentials.Credentials("AKIAIOSFODNN7EXAMPLE",
                                             "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    signer = botocore.auth.SigV4Auth(creds, model.signing_name, region)
    with open(os.path.join(DATA, response_file), "rb") as f:
        body = f.read()
    headers = {"content-type": content_type, "x-amzn-requestid": "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE"}

    def request_half():
        request_dict = serializer.serialize_to_request(params, op)
        botocore.awsrequest.prepare_request_dict(request_dict, endpoint_url=endpoint)
        request = botocore.awsrequest.create_request_object(request_dict)
        signer.add_auth(request)
        return request.prepare()

    def response_half():
        parsed = parser.parse({"status_code": 200, "headers": headers, "body": body},
                              op.output_shape)
        if service == "iam":  # boto3's after-call handler; libcpw does the same
            botocore.handlers.json_decode_policies(parsed, op)
        return parsed

    def one():
        request_half()
        return response_half()

    out = one()  # warm-up, and proof the case works
    assert "Error" not in out or not out["Error"].get("Code"), out
    timings = {}
    for name, fn in (("all", one), ("request", request_half), ("response", response_half)):
        t0 = time.process_time()  # CPU time, as cpw-bench-client measures
        for _ in range(iterations):
            fn()
        timings[name] = (time.process_time() - t0) / iterations
    return 1 / timings["all"], timings["request"] * 1e6, timings["response"] * 1e6


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    load_before = os.getloadavg()[0]
    c_iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    py_iterations = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    proc = subprocess.run([os.path.join(build, "cpw-bench-client"), DATA, str(c_iterations)],
                          check=True, capture_output=True, text=True)
    c_results = {r["operation"]: r for r in map(json.loads, proc.stdout.splitlines())}
    session = botocore.session.get_session()
    print(f"Machine: {os.cpu_count()} CPUs, load average {load_before:.2f}; botocore "
          f"{botocore.__version__}; {c_iterations} C iterations, {py_iterations} botocore "
          f"iterations per operation, one thread each.\n")
    print("| operation | libcpw ops/s | botocore ops/s | ratio | request half µs (libcpw / botocore) "
          "| response half µs (libcpw / botocore) |")
    print("|---|---|---|---|---|---|")
    ratios = []
    for case in CASES:
        py, py_req, py_resp = botocore_ops_per_s(session, case, py_iterations)
        cr = c_results[case[1]]
        c = cr["ops_per_s"]
        ratios.append(c / py)
        print(f"| {case[0]} {case[1]} | {c:,.0f} | {py:,.0f} | {c / py:.1f}x "
              f"| {cr['request_us']:.1f} / {py_req:.1f} | {cr['response_us']:.1f} / {py_resp:.1f} |")
    geo = 1.0
    for r in ratios:
        geo *= r
    print(f"\nGeometric mean of the ratios: {geo ** (1 / len(ratios)):.1f}x "
          f"(load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after)")


if __name__ == "__main__":
    main()
