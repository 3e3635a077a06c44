"""Backup format version 2 end to end against `cpwarden sandbox`: a domain holding at least one
of every configuration kind (settings and tags, matching, object types, a domain object type, a
calculated attribute, a segment definition, an event trigger filtering on it, integrations (a
Connect instance, an AppFlow flow naming the trigger), a workflow, an event stream, a layout, a
recommender schema, a recommender and a filter) and profiles with objects, built through the
sandbox's API; then:

* `backup --verify` checks the file without AWS and prints every section's count;
* backup -> delete -> restore -> backup yields the same configuration (ignoring server-generated
  ids, ARNs and times), in the same account and in another account (an organization member,
  through AssumeRole) and region; what cannot be recreated (the workflow and the integration it
  made, the recommender's trained state) is reported not-restored, with the reason;
* a second restore creates nothing;
* a copy restored under a new name next to the live domain does not take the live Connect
  instance (not-restored, reported once, on stdout only) unless --attach-integrations;
* a restore killed with SIGKILL (restore --kill-after-change N) and run again completes without
  duplicates.

Run by CTest with /usr/bin/python3."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import sandbox_lib

try:
    import boto3
    import botocore.config
except ImportError:
    print("skipped: Debian's python3-boto3 is not installed")
    sys.exit(77)

CPWARDEN = os.environ["CPWARDEN"]
KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCT = "123456789012"
PASSED = 0
FAILED = 0
PROFILES = 12
LIST_SECTIONS = ("object_types", "integrations", "event_streams", "calculated_attributes",
                 "domain_object_types", "workflows", "segment_definitions", "event_triggers",
                 "layouts", "recommender_schemas", "recommenders", "recommender_filters")
# Server-generated: times, ARNs naming the new domain, ids, counters, a recommender's status on
# the service's clock and a layout's version.
IGNORED = {"CreatedAt", "LastUpdatedAt", "EventStreamArn", "DomainName", "TotalSize",
           "MeteringProfileCount", "SegmentDefinitionArn", "Version", "Status"}


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
        "--no-rate-limits"
    ])


def client(service, endpoint, region="us-east-1", creds=None):
    c = creds or {"aws_access_key_id": KEY, "aws_secret_access_key": SECRET}
    return boto3.client(service, endpoint_url=endpoint, region_name=region, **c,
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def cpw(env, *args):
    p = subprocess.run([CPWARDEN, *args], env=env, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def api(env, operation, document, region="us-east-1"):
    rc, out, err = cpw(env, "api", "customer-profiles", operation, json.dumps(document),
                       "--region", region)
    if rc != 0:
        raise SystemExit(f"{operation}: {err}")
    return json.loads(out) if out.strip() else {}


def read_backup(path):
    sections, records = {}, []
    with open(path) as f:
        for line in f:
            doc = json.loads(line)
            if "section" in doc:
                sections[doc["section"]] = doc["document"]
            elif "record" in doc:
                records.append(doc["record"])
    return sections, records


def normalize(value):
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        return sorted((normalize(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def restorable(sections, live_instance=None):
    """The configuration a restore recreates: everything but the workflows and the integrations
    they made (reported not-restored), the ids the target gives, and (for a copy next to the
    live domain) the live Connect instance's integration, which a copy never takes."""
    out = {}
    for name, doc in sections.items():
        if name == "workflows":
            continue
        if name == "integrations":
            doc = [i for i in doc if "WorkflowId" not in i and i["Uri"] != live_instance]
        out[name] = normalize(doc)
    return out


def profiles_of(records):
    out = []
    for r in records:
        profile = {k: v for k, v in r["profile"].items() if k != "ProfileId"}
        objects = sorted((o["ObjectTypeName"], o["Object"]) for o in r["objects"])
        out.append(json.dumps([profile, objects], sort_keys=True))
    return sorted(out)


def build_domain(env, endpoint, name):
    """A domain with at least one item of every configuration kind, and profiles."""
    cp = client("customer-profiles", endpoint)
    connect = client("connect", endpoint)
    cp.create_domain(DomainName=name, DefaultExpirationDays=120,
                     Matching={"Enabled": True}, Tags={"team": "crm"})
    cp.put_profile_object_type(
        DomainName=name, ObjectTypeName="Order", Description="orders", ExpirationDays=60,
        Keys={"email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["email"]}],
              "orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["orderId"]}]},
        Fields={"email": {"Source": "_source.email", "Target": "_profile.EmailAddress",
                          "ContentType": "EMAIL_ADDRESS"},
                "orderId": {"Source": "_source.orderId", "Target": "_order.OrderId",
                            "ContentType": "STRING"},
                "amount": {"Source": "_source.amount", "Target": "_order.Amount",
                           "ContentType": "NUMBER"}},
        Tags={"kind": "order"})
    api(env, "PutDomainObjectType", {
        "DomainName": name, "ObjectTypeName": "Account", "Description": "accounts",
        "Fields": {"id": {"Source": "_source.id", "Target": "_domainObject.id",
                          "ContentType": "STRING"}}, "Tags": {"d": "1"}})
    api(env, "CreateCalculatedAttributeDefinition", {
        "DomainName": name, "CalculatedAttributeName": "spend", "DisplayName": "Spend",
        "AttributeDetails": {"Attributes": [{"Name": "amount"}], "Expression": "{amount}"},
        "Statistic": "SUM"})
    api(env, "CreateSegmentDefinition", {
        "DomainName": name, "SegmentDefinitionName": "gold", "DisplayName": "Gold",
        "Description": "gold tier", "Tags": {"s": "1"},
        "SegmentGroups": {"Include": "ALL", "Groups": [{"Type": "ALL", "Dimensions": [
            {"ProfileAttributes": {"Attributes": {"tier": {"DimensionType": "INCLUSIVE",
                                                           "Values": ["gold"]}}}}]}]}})
    api(env, "CreateEventTrigger", {
        "DomainName": name, "EventTriggerName": "big-order", "ObjectTypeName": "Order",
        "SegmentFilter": "gold", "Description": "large orders",
        "EventTriggerConditions": [{"LogicalOperator": "ANY", "EventTriggerDimensions": [
            {"ObjectAttributes": [{"FieldName": "amount", "ComparisonOperator": "GREATER_THAN",
                                   "Values": ["100"]}]}]}],
        "EventTriggerLimits": {"EventExpiration": 60, "Periods": [
            {"Unit": "DAYS", "Value": 1, "MaxInvocationsPerProfile": 2}]}})
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED",
                                       InstanceAlias=f"{name}-cc", InboundCallsEnabled=True,
                                       OutboundCallsEnabled=True)
    cp.put_integration(DomainName=name, Uri=instance["Arn"], ObjectTypeName="Order")
    api(env, "PutIntegration", {
        "DomainName": name, "Uri": f"arn:aws:appflow:us-east-1:{ACCT}:flow/{name}-orders",
        "ObjectTypeName": "Order", "EventTriggerNames": ["big-order"], "Tags": {"i": "1"}})
    api(env, "CreateIntegrationWorkflow", {
        "DomainName": name, "WorkflowType": "APPFLOW_INTEGRATION", "ObjectTypeName": "Order",
        "RoleArn": f"arn:aws:iam::{ACCT}:role/appflow",
        "IntegrationConfig": {"AppflowIntegration": {"FlowDefinition": {
            "FlowName": f"{name}-sf", "KmsArn": f"arn:aws:kms:us-east-1:{ACCT}:key/k1",
            "SourceFlowConfig": {"ConnectorType": "Salesforce", "ConnectorProfileName": "sf",
                                 "SourceConnectorProperties": {"Salesforce": {"Object": "Order"}}},
            "Tasks": [{"SourceFields": ["Id"], "TaskType": "Map", "DestinationField": "Id"}],
            "TriggerConfig": {"TriggerType": "OnDemand"}}}}})
    api(env, "CreateEventStream", {"DomainName": name, "EventStreamName": "feed",
                                   "Uri": f"arn:aws:kinesis:us-east-1:{ACCT}:stream/feed"})
    api(env, "CreateDomainLayout", {
        "DomainName": name, "LayoutDefinitionName": "main", "Description": "main view",
        "DisplayName": "Main", "LayoutType": "PROFILE_EXPLORER",
        "Layout": json.dumps({"sections": []}), "IsDefault": True, "Tags": {"l": "1"}})
    api(env, "CreateRecommenderSchema", {
        "DomainName": name, "RecommenderSchemaName": "items",
        "Fields": {"Items": [{"TargetFieldName": "ITEM_ID"}, {"TargetFieldName": "CATEGORY",
                                                               "FeatureType": "CATEGORICAL"}]}})
    api(env, "CreateRecommender", {
        "DomainName": name, "RecommenderName": "for-you",
        "RecommenderRecipeName": "recommended-for-you", "RecommenderSchemaName": "items",
        "Description": "picks", "RecommenderConfig": {"TrainingFrequency": 7},
        "Tags": {"r": "1"}})
    api(env, "CreateRecommenderFilter", {
        "DomainName": name, "RecommenderFilterName": "no-toys", "RecommenderSchemaName": "items",
        "RecommenderFilterExpression": 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("toys")',
        "Description": "no toys", "Tags": {"f": "1"}})
    for i in range(PROFILES):
        email = f"p{i}@example.com"
        cp.put_profile_object(DomainName=name, ObjectTypeName="Order",
                              Object=json.dumps({"email": email, "orderId": f"o{i}",
                                                 "amount": 10 * i}))
        found = cp.search_profiles(DomainName=name, KeyName="email", Values=[email])
        cp.update_profile(DomainName=name, ProfileId=found["Items"][0]["ProfileId"],
                          FirstName=f"P{i}", EmailAddress=email)
    return instance["Arn"]


def member_credentials(endpoint):
    """An organization member account and credentials inside it (AssumeRole)."""
    org = client("organizations", endpoint)
    org.create_organization(FeatureSet="ALL")
    status = org.create_account(Email="dr@example.com",
                                AccountName="dr")["CreateAccountStatus"]
    for _ in range(200):
        if status["State"] != "IN_PROGRESS":
            break
        time.sleep(0.05)
        status = org.describe_create_account_status(
            CreateAccountRequestId=status["Id"])["CreateAccountStatus"]
    if status["State"] != "SUCCEEDED":
        raise SystemExit(f"CreateAccount: {status}")
    account = status["AccountId"]
    creds = client("sts", endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="restore")["Credentials"]
    return account, {"aws_access_key_id": creds["AccessKeyId"],
                     "aws_secret_access_key": creds["SecretAccessKey"],
                     "aws_session_token": creds["SessionToken"]}


def lines(out, action, kind):
    return [ln for ln in out.splitlines() if ln.split()[:2] == [action, kind]]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        proc, endpoint = start_sandbox(tmp)
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID=KEY,
                   AWS_SECRET_ACCESS_KEY=SECRET, AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true",
                   XDG_STATE_HOME=os.path.join(tmp, "state"))
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
        try:
            run(tmp, env, endpoint)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


def run(tmp, env, endpoint):
    cp = client("customer-profiles", endpoint)
    instance = build_domain(env, endpoint, "full")
    b1 = os.path.join(tmp, "b1.cpwbackup")
    rc, out, err = cpw(env, "backup", "--domain", "full", "--region", "us-east-1",
                       "--with-profiles", "-o", b1)
    check("backup succeeds", rc == 0, err)
    sections, records = read_backup(b1)
    with open(b1) as f:
        header = json.loads(f.readline())
    check("format version 2", header["format_version"] == 2, header)
    for name in LIST_SECTIONS:
        check(f"backup holds {name}", len(sections.get(name, [])) >= 1, sections.get(name))
        check(f"header counts {name}", header["header"]["counts"][name] == len(sections[name]))
    check("recommender without trained state",
          all("TrainingMetrics" not in r and "LatestRecommenderUpdate" not in r
              for r in sections["recommenders"]), sections["recommenders"])
    check("profiles exported", len(records) == PROFILES, len(records))

    # document lists every kind a backup carries, from the same table.
    rc, out, err = cpw(env, "document", "--domain", "full", "--region", "us-east-1",
                       "--output", "json")
    conf = json.loads(out)["domains"][0]["configuration"] if rc == 0 else {}
    for name in LIST_SECTIONS:
        if name != "integrations":
            check(f"document lists {name}", len(conf.get(name, [])) == len(sections[name]),
                  conf.get(name))
    rc, md, err = cpw(env, "document", "--domain", "full", "--region", "us-east-1")
    for label in ("Domain object types", "Workflows", "Segment definitions", "Event triggers",
                  "Layouts", "Recommender schemas", "Recommenders", "Recommender filters"):
        check(f"document markdown has {label}", f"| {label} | " in md, md)
    check("document markdown names the segment", "| Segment definitions | 1: `gold` |" in md, md)

    # plan's impact counts every kind too, without changing what is planned.
    plan_path = os.path.join(tmp, "full.plan.json")
    rc, out, err = cpw(env, "plan", "--domain", "full", "--region", "us-east-1", "--force",
                       "-o", plan_path)
    check("plan of the full domain", rc == 0, out + err)
    if rc == 0:
        with open(plan_path) as f:
            plan = json.load(f)
        delete = [a for a in plan["actions"] if a["kind"] == "delete-domain"]
        conf = delete[0]["impact"].get("configuration", {}) if delete else {}
        for name in LIST_SECTIONS[4:]:
            check(f"plan impact counts {name}", conf.get(name) == len(sections[name]), conf)
        check("plan text shows the new kinds", "1 segment definition" in out and
              "1 recommender filter" in out, out)

    # --verify: no AWS at all (the endpoint points nowhere), every count printed.
    offline = dict(env, AWS_ENDPOINT_URL="http://127.0.0.1:9")
    rc, out, err = cpw(offline, "backup", "--verify", b1)
    check("verify succeeds offline", rc == 0 and "valid: yes (format version 2" in out, out + err)
    for name in LIST_SECTIONS:
        check(f"verify prints {name}", f"\n{name}: {len(sections[name])}\n" in out, out)
    check("verify prints records", f"profile_records: {PROFILES}\n" in out, out)
    rc, out, err = cpw(offline, "backup", "--verify", b1, "--output", "json")
    doc = json.loads(out) if rc == 0 else {}
    check("verify json", doc.get("sections", {}).get("layouts") == 1 and
          doc.get("profile_records") == PROFILES, out + err)
    with open(b1, "rb") as f:
        data = f.read()
    bad = os.path.join(tmp, "bad.cpwbackup")
    with open(bad, "wb") as f:
        f.write(data.replace(b'"DisplayName":"Gold"', b'"DisplayName":"Gilt"'))
    rc, out, err = cpw(offline, "backup", "--verify", bad)
    check("verify refuses an edited file", rc == 1 and "checksum" in err, out + err)

    # Delete, restore, back up again: the same configuration.
    cp.delete_domain(DomainName="full")
    rc, out, err = cpw(env, "restore", b1)
    check("restore succeeds", rc == 0, out + err)
    for kind in ("object-type", "domain-object-type", "calculated-attribute",
                 "segment-definition", "event-trigger", "integration", "event-stream", "layout",
                 "recommender-schema", "recommender", "recommender-filter"):
        check(f"restore creates {kind}", len(lines(out, "create", kind)) >= 1, out)
    check("workflow reported not restored, with the reason",
          any("flow definition" in ln for ln in lines(out, "not-restored", "workflow")), out)
    check("recommender's trained state reported",
          any("trained state" in ln for ln in lines(out, "not-restored", "recommender")), out)
    check("the live Connect instance of the deleted domain is re-attached",
          any(instance in ln for ln in lines(out, "create", "integration")), out)
    check("dependency order: segment before trigger before integration",
          out.index("segment-definition") < out.index("event-trigger") <
          out.index("create       integration"), out)
    b2 = os.path.join(tmp, "b2.cpwbackup")
    rc, _, err = cpw(env, "backup", "--domain", "full", "--region", "us-east-1",
                     "--with-profiles", "-o", b2)
    sections2, records2 = read_backup(b2) if rc == 0 else ({}, [])
    want = restorable(sections)
    got = restorable(sections2)
    for name in want:
        check(f"section {name} round-trips", want[name] == got.get(name),
              f"\n{want[name]}\n{got.get(name)}")
    check("profiles round-trip", profiles_of(records) == profiles_of(records2))

    # Again: nothing created.
    rc, out, err = cpw(env, "restore", b1)
    check("second restore creates nothing", rc == 0 and "\ncreate " not in "\n" + out and
          " 0 created" in out, out + err)

    # A copy under a new name next to the live domain: the Connect instance stays with "full".
    rc, out, err = cpw(env, "restore", b1, "--domain", "live-copy", "--no-profiles")
    copy_uris = [i["Uri"] for i in cp.list_integrations(DomainName="live-copy")["Items"]]
    check("copy restored", rc == 0, out + err)
    check("copy does not take the live instance", instance not in copy_uris, copy_uris)
    skipped = [ln for ln in lines(out, "not-restored", "integration") if instance in ln]
    check("the skipped integration is reported once, with the domain that uses it",
          len(skipped) == 1 and "integrated with domain full" in skipped[0], out)
    check("nothing repeated on stderr", instance not in err and "warning" not in err, err)
    rc, out, err = cpw(env, "restore", b1, "--domain", "live-copy", "--no-profiles",
                       "--attach-integrations")
    tried = [ln for ln in out.splitlines() if instance in ln]
    check("--attach-integrations tries the live instance",
          any(ln.startswith("warning") and "--attach-integrations" in ln for ln in tried), out)

    # Another account and region: an organization member, through AssumeRole.
    account, creds = member_credentials(endpoint)
    member_env = dict(env, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
                      AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"],
                      AWS_SESSION_TOKEN=creds["aws_session_token"])
    rc, out, err = cpw(member_env, "restore", b1, "--domain", "dr-copy", "--region", "eu-west-1")
    check("restore into another account and region", rc == 0, out + err)
    check("the other account's Connect instance is warned about",
          any("not of the target" in ln for ln in lines(out, "warning", "integration")), out)
    b3 = os.path.join(tmp, "b3.cpwbackup")
    rc, _, err = cpw(member_env, "backup", "--domain", "dr-copy", "--region", "eu-west-1",
                     "--with-profiles", "-o", b3)
    sections3, records3 = read_backup(b3) if rc == 0 else ({}, [])
    with open(b3) as f:
        check("backup taken in the member account", json.loads(f.readline())["header"]
              ["account"] == account)
    got = restorable(sections3)
    for name in want:
        check(f"section {name} in another account and region", want[name] == got.get(name),
              f"\n{want[name]}\n{got.get(name)}")
    check("profiles in another account and region", profiles_of(records) == profiles_of(records3))

    # Killed half-way (SIGKILL after the Nth change), then run again: complete, no duplicates.
    # The copies are in another region of the same account: the live instance stays with "full".
    want = restorable(sections, instance)
    for kill_after in (3, 9, 14):
        target = f"crash{kill_after}"
        rc, out, err = cpw(env, "restore", b1, "--domain", target, "--region", "us-west-2",
                           "--kill-after-change", str(kill_after))
        check(f"restore killed after change {kill_after}", rc == -signal.SIGKILL, (rc, out, err))
        rc, out, err = cpw(env, "restore", b1, "--domain", target, "--region", "us-west-2")
        check(f"restore after the kill at {kill_after} completes",
              rc == 0 and " 0 conflicts, " in out and " 0 failed, " in out, out + err)
        check(f"after the kill at {kill_after}: the live instance of another region's domain "
              "is not taken", any(instance in ln and "integrated with domain full (us-east-1)"
                                  in ln for ln in lines(out, "not-restored", "integration")),
              out)
        bk = os.path.join(tmp, f"{target}.cpwbackup")
        rc, _, err = cpw(env, "backup", "--domain", target, "--region", "us-west-2",
                         "--with-profiles", "-o", bk)
        sk, rk = read_backup(bk) if rc == 0 else ({}, [])
        got = restorable(sk)
        check(f"after the kill at {kill_after}: the same configuration",
              all(want[n] == got.get(n) for n in want),
              [n for n in want if want[n] != got.get(n)])
        check(f"after the kill at {kill_after}: the same profiles, no duplicates",
              profiles_of(records) == profiles_of(rk), f"{len(records)} vs {len(rk)}")


if __name__ == "__main__":
    sys.exit(main())
