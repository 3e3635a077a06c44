"""cpwarden backup, restore and document against `cpwarden sandbox`, with Debian's boto3 to build
and inspect the domains: a backup -> delete -> restore -> backup round trip that yields the same
configuration and the same profiles; a restore into another region under another name; a second
restore that changes nothing (counted in CloudTrail); dry runs and conflicting domains; truncated,
edited and wrong-version files refused before anything is sent; files 0600 and recorded in the
backups index; flat memory with many profiles; and the documentation template for the orphans
scenario in both formats.

Fields that legitimately differ between a backup and the backup of its restore, and are ignored
when comparing: CreatedAt, LastUpdatedAt (timestamps of the new resources), EventStreamArn and
DomainName (they name the new domain), Stats.TotalSize/MeteringProfileCount (service counters),
ProfileId (profiles get new ids; they are compared by content) and ProfileObjectUniqueKey of
objects without a UNIQUE key.

Run by CTest with /usr/bin/python3. Exit 77 (skipped) when boto3 is not importable."""
import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
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
PASSED = 0
FAILED = 0
def sanitized():
    """True for an AddressSanitizer build: its quarantine holds freed memory (the peak resident
    set means nothing there) and every request is several times slower."""
    p = subprocess.run(["ldd", CPWARDEN], capture_output=True, text=True)
    return "libasan" in p.stdout


SANITIZED = sanitized()
PROFILES = 80 if SANITIZED else 250
BIG_PROFILES = 1500
MUTATING = ("Create", "Put", "Update", "Delete", "Tag", "Untag", "Merge", "Add")


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAILED:", name, detail)


def start_sandbox(tmp, *args):
    ready = os.path.join(tmp, "ready-" + str(len(os.listdir(tmp))))
    return sandbox_lib.start_sandbox(CPWARDEN, ready, [
        "--no-rate-limits", "--slr-deletion-delay-ms", "2000", *args
    ])


def stop_sandbox(proc):
    proc.terminate()
    proc.wait(timeout=30)


def client(service, endpoint, region="us-east-1"):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def cpw(env, *args):
    """Runs cpwarden; returns (exit code, stdout, stderr)."""
    p = subprocess.run([CPWARDEN, *args], env=env, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def cpw_rss_kib(env, tmp, *args):
    """Runs cpwarden under GNU time and returns (exit code, its peak resident set in KiB).
    (A child forked straight from this Python process would report Python's own peak.)"""
    out = os.path.join(tmp, "rss")
    p = subprocess.run(["/usr/bin/time", "-o", out, "-f", "%M", CPWARDEN, *args], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        return p.returncode, int(f.read().split()[-1])


def read_backup(path):
    """Sections (name -> document) and records of a backup file."""
    sections, records = {}, []
    with open(path) as f:
        for line in f:
            doc = json.loads(line)
            if "section" in doc:
                sections[doc["section"]] = doc["document"]
            elif "record" in doc:
                records.append(doc["record"])
    return sections, records


IGNORED = {"CreatedAt", "LastUpdatedAt", "EventStreamArn", "DomainName", "TotalSize",
           "MeteringProfileCount"}


def normalize(value):
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        items = [normalize(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def normalize_records(records):
    out = []
    for r in records:
        profile = {k: v for k, v in r["profile"].items() if k != "ProfileId"}
        objects = sorted((o["ObjectTypeName"], o["Object"]) for o in r["objects"])
        out.append(json.dumps([profile, objects], sort_keys=True))
    return sorted(out)


def mutating_events(endpoint, region):
    """Mutating Customer Profiles calls recorded in CloudTrail (IAM's own clean-up of a deleted
    domain's role is recorded too, at a time of its choosing: it is not counted)."""
    trail = client("cloudtrail", endpoint, region)
    count = 0
    for page in trail.get_paginator("lookup_events").paginate():
        count += sum(1 for e in page["Events"] if e["EventName"].startswith(MUTATING) and
                     e.get("EventSource") == "profile.amazonaws.com")
    return count


def api(env, operation, document):
    """One Customer Profiles call through `cpwarden api` (Debian's botocore predates some)."""
    rc, out, err = cpw(env, "api", "customer-profiles", operation, json.dumps(document))
    if rc != 0:
        raise SystemExit(f"{operation}: {err}")


def build_rich_domain(env, endpoint):
    cp = client("customer-profiles", endpoint)
    connect = client("connect", endpoint)
    cp.create_domain(DomainName="rich", DefaultExpirationDays=90,
                     DeadLetterQueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
                     Matching={"Enabled": True}, Tags={"team": "ops", "env": "test"})
    cp.put_profile_object_type(
        DomainName="rich", ObjectTypeName="Order", Description="orders", ExpirationDays=30,
        Keys={"email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["email"]}],
              "orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["orderId"]}]},
        Fields={"email": {"Source": "_source.email", "Target": "_profile.EmailAddress",
                          "ContentType": "EMAIL_ADDRESS"},
                "orderId": {"Source": "_source.orderId", "Target": "_order.OrderId",
                            "ContentType": "STRING"}},
        Tags={"kind": "order"})
    cp.put_profile_object_type(DomainName="rich", ObjectTypeName="Contact",
                               Description="contacts", TemplateId="Salesforce-Contact")
    instance = connect.create_instance(IdentityManagementType="CONNECT_MANAGED",
                                       InstanceAlias="rich-cc", InboundCallsEnabled=True,
                                       OutboundCallsEnabled=True)
    cp.put_integration(DomainName="rich", Uri=instance["Arn"], ObjectTypeName="Order")
    cp.put_integration(DomainName="rich", Uri="arn:aws:appflow:us-east-1:123456789012:flow/crm",
                       ObjectTypeName="Contact", Tags={"flow": "crm"})
    api(env, "CreateEventStream", {"DomainName": "rich", "EventStreamName": "feed",
                                   "Uri": "arn:aws:kinesis:us-east-1:123456789012:stream/feed"})
    api(env, "CreateCalculatedAttributeDefinition",
        {"DomainName": "rich", "CalculatedAttributeName": "total", "DisplayName": "Total",
         "AttributeDetails": {"Attributes": [{"Name": "amount"}], "Expression": "{amount}"},
         "Statistic": "SUM"})
    for i in range(PROFILES):
        email = f"c{i}@example.com"
        cp.put_profile_object(DomainName="rich", ObjectTypeName="Order",
                              Object=json.dumps({"email": email, "orderId": f"o{i}",
                                                 "amount": i}))
        if i % 3 == 0:
            cp.put_profile_object(DomainName="rich", ObjectTypeName="Order",
                                  Object=json.dumps({"email": email, "orderId": f"o{i}b",
                                                     "amount": i + 1}))
        found = cp.search_profiles(DomainName="rich", KeyName="email", Values=[email])
        cp.update_profile(DomainName="rich", ProfileId=found["Items"][0]["ProfileId"],
                          FirstName=f"N{i}", EmailAddress=email)
    for i in range(5):
        cp.create_profile(DomainName="rich", FirstName=f"Solo{i}",
                          EmailAddress=f"solo{i}@example.com")
    return instance["Arn"]


def test_round_trip(tmp, env, endpoint):
    cp = client("customer-profiles", endpoint)
    build_rich_domain(env, endpoint)
    b1 = os.path.join(tmp, "b1.cpwbackup")
    rc, out, err = cpw(env, "backup", "--domain", "rich", "--region", "us-east-1",
                       "--with-profiles", "-o", b1)
    check("backup succeeds", rc == 0, err)
    check("backup file is 0600", stat.S_IMODE(os.stat(b1).st_mode) == 0o600)
    sections, records = read_backup(b1)
    check("every section present (format version 2)", len(sections) == 16, sections.keys())
    check("profile records", len(records) == PROFILES + 5, len(records))
    check("objects exported",
          sum(len(r["objects"]) for r in records) == PROFILES + (PROFILES + 2) // 3)
    check("tags exported", sections["tags"] == {"team": "ops", "env": "test"}, sections["tags"])
    # The backups index holds the file with its sha256.
    with open(b1, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    db = sqlite3.connect(os.path.join(env["XDG_STATE_HOME"], "cpwarden", "state.db"))
    rows = db.execute("SELECT account, region, domain, path, sha256, counts FROM backups").fetchall()
    db.close()
    check("backup recorded in the index",
          ("123456789012", "us-east-1", "rich", b1, digest) in [r[:5] for r in rows], rows)
    counts = json.loads(rows[-1][5]) if rows else {}
    check("index counts", counts.get("records") == PROFILES + 5 and counts.get("object_types") == 2,
          counts)
    # Default path: under the state directory, directory 0700, file 0600.
    rc, out, err = cpw(env, "backup", "--domain", "rich", "--region", "us-east-1")
    path = out.split("\n")[0].removeprefix("backup: ")
    backups_dir = os.path.join(env["XDG_STATE_HOME"], "cpwarden", "backups")
    check("default path backup", rc == 0 and os.path.dirname(path) == backups_dir, out + err)
    check("backups directory 0700", stat.S_IMODE(os.stat(backups_dir).st_mode) == 0o700)
    check("default backup 0600", rc == 0 and stat.S_IMODE(os.stat(path).st_mode) == 0o600)

    # Delete, restore, back up again: the same configuration and profiles.
    cp.delete_domain(DomainName="rich")
    rc, out, err = cpw(env, "restore", b1)
    check("restore succeeds", rc == 0, out + err)
    check("restore reports no warning for an existing instance", "\nwarning " not in "\n" + out,
          out)
    b2 = os.path.join(tmp, "b2.cpwbackup")
    rc, _, err = cpw(env, "backup", "--domain", "rich", "--region", "us-east-1",
                     "--with-profiles", "-o", b2)
    check("backup of the restored domain", rc == 0, err)
    sections2, records2 = read_backup(b2)
    for name in sections:
        check(f"section {name} round-trips",
              normalize(sections[name]) == normalize(sections2.get(name)),
              f"\n{normalize(sections[name])}\n{normalize(sections2.get(name))}")
    check("profiles and objects restored exactly",
          normalize_records(records) == normalize_records(records2),
          f"{len(records)} vs {len(records2)}")

    # A second restore changes nothing: no mutating call reaches the service.
    before = mutating_events(endpoint, "us-east-1")
    rc, out, err = cpw(env, "restore", b1)
    after = mutating_events(endpoint, "us-east-1")
    check("second restore succeeds", rc == 0, out + err)
    check("second restore creates nothing", "\ncreate " not in "\n" + out and
          "0 created" in out, out)
    check("second restore sends no mutating call", before == after, f"{before} -> {after}")
    check("mutating calls were counted", before > PROFILES)

    # Another region, another name: same configuration, except that the live Connect instance
    # "rich" uses is not taken by the copy (reported once, on stdout).
    rc, out, err = cpw(env, "restore", b1, "--domain", "rich-copy", "--region", "eu-west-1")
    check("restore into another region", rc == 0, out + err)
    check("the live Connect instance of another domain is not re-attached",
          "integrated with domain rich (us-east-1)" in out and "not-restored" in out and
          "Connect instance" not in err, out + err)
    b3 = os.path.join(tmp, "b3.cpwbackup")
    rc, _, err = cpw(env, "backup", "--domain", "rich-copy", "--region", "eu-west-1",
                     "--with-profiles", "-o", b3)
    sections3, records3 = read_backup(b3) if rc == 0 else ({}, [])
    without_connect = dict(sections, integrations=[
        i for i in sections["integrations"] if not i["Uri"].startswith("arn:aws:connect:")])
    for name in sections:
        check(f"section {name} in eu-west-1 under another name",
              normalize(without_connect[name]) == normalize(sections3.get(name)))
    check("profiles in eu-west-1", normalize_records(records) == normalize_records(records3))
    rc, out, err = cpw(env, "restore", b1, "--domain", "rich-copy", "--region", "eu-west-1")
    check("second restore in eu-west-1 is unchanged", rc == 0 and "0 created" in out, out + err)

    # Dry run: lists what would be created, creates nothing.
    rc, out, err = cpw(env, "restore", b1, "--domain", "dry", "--region", "us-west-2",
                       "--dry-run")
    west = client("customer-profiles", endpoint, "us-west-2")
    check("dry run lists", rc == 0 and "would be created" in out and "object-type" in out,
          out + err)
    check("dry run creates nothing", west.list_domains()["Items"] == [])

    # A domain that exists with other settings is reported, not overwritten.
    cp.create_domain(DomainName="clash", DefaultExpirationDays=10)
    rc, out, err = cpw(env, "restore", b1, "--domain", "clash")
    check("conflicting domain refused", rc == 1 and "different settings" in err, out + err)
    check("conflicting domain untouched",
          cp.get_domain(DomainName="clash")["DefaultExpirationDays"] == 10 and
          cp.list_profile_object_types(DomainName="clash")["Items"] == [])
    rc, out, err = cpw(env, "restore", b1, "--domain", "clash", "--force", "--no-profiles")
    # The Connect instance already serves "rich": the copy does not take it.
    check("--force overwrites", rc == 0 and
          cp.get_domain(DomainName="clash")["DefaultExpirationDays"] == 90 and
          len(cp.list_profile_object_types(DomainName="clash")["Items"]) == 2, out + err)
    check("--force: the instance of another domain is reported, not taken",
          "not-restored integration" in out and "integrated with domain rich" in out and
          not any(i["Uri"].startswith("arn:aws:connect:")
                  for i in cp.list_integrations(DomainName="clash")["Items"]), out + err)
    # --attach-integrations tries it anyway; the service refuses (one domain per instance).
    rc, out, err = cpw(env, "restore", b1, "--domain", "clash", "--no-profiles",
                       "--attach-integrations")
    check("--attach-integrations: tried, the service's refusal reported once",
          rc == 3 and "--attach-integrations" in out and "only one domain" in out and
          "only one domain" not in err, out + err)
    return b1


def test_bad_files(tmp, env, endpoint, good):
    with open(good, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    cases = {
        "truncated": (data[:-40], "truncated"),
        "edited": (data.replace(b'"DefaultExpirationDays":90', b'"DefaultExpirationDays":91'),
                   "checksum"),
        "version": (data.replace(b'"format_version":2', b'"format_version":3', 1), "version"),
        "empty": (b"", "truncated"),
    }
    check("edit applies", cases["edited"][0] != data and len(lines) > 3)
    cp = client("customer-profiles", endpoint)
    before = mutating_events(endpoint, "us-east-1")
    for name, (content, word) in cases.items():
        path = os.path.join(tmp, f"bad-{name}.cpwbackup")
        with open(path, "wb") as f:
            f.write(content)
        rc, out, err = cpw(env, "restore", path, "--domain", f"bad-{name}")
        check(f"{name} file refused", rc == 1 and "refused" in err and word in err.lower(),
              f"rc={rc} {err}")
        check(f"{name} file: nothing printed as restored", out == "", out)
    names = [d["DomainName"] for d in cp.list_domains()["Items"]]
    check("bad files created no domain", not any(n.startswith("bad-") for n in names), names)
    check("bad files sent no mutating call", mutating_events(endpoint, "us-east-1") == before)


def test_memory(tmp, env, endpoint):
    if SANITIZED:
        print("memory not measured: an AddressSanitizer build keeps freed memory in quarantine")
        return
    if not os.access("/usr/bin/time", os.X_OK):
        print("memory not measured: GNU time (/usr/bin/time) is not installed")
        return
    cp = client("customer-profiles", endpoint, "us-east-2")
    for name in ("tiny", "big"):
        cp.create_domain(DomainName=name, DefaultExpirationDays=30)
        cp.put_profile_object_type(
            DomainName=name, ObjectTypeName="Event", Description="events",
            Keys={"id": [{"StandardIdentifiers": ["PROFILE", "UNIQUE"], "FieldNames": ["id"]}]})
    pad = "x" * 2000
    for i in range(BIG_PROFILES):
        cp.put_profile_object(DomainName="big", ObjectTypeName="Event",
                              Object=json.dumps({"id": f"e{i}", "pad": pad}))
    cp.put_profile_object(DomainName="tiny", ObjectTypeName="Event",
                          Object=json.dumps({"id": "e0", "pad": pad}))
    rc1, tiny = cpw_rss_kib(env, tmp, "backup", "--domain", "tiny", "--region", "us-east-2",
                            "--with-profiles", "-o", os.path.join(tmp, "tiny.cpwbackup"))
    rc2, big = cpw_rss_kib(env, tmp, "backup", "--domain", "big", "--region", "us-east-2",
                           "--with-profiles", "-o", os.path.join(tmp, "big.cpwbackup"))
    size = os.path.getsize(os.path.join(tmp, "big.cpwbackup")) if rc2 == 0 else 0
    print(f"peak RSS: tiny domain {tiny} KiB, {BIG_PROFILES} profiles {big} KiB "
          f"(backup file {size // 1024} KiB)")
    check("memory backups succeed", rc1 == 0 and rc2 == 0)
    # Holding the profiles would add well over the file's size; streaming adds one batch.
    check("memory stays flat", big - tiny < max(4096, size // 1024 // 2),
          f"{tiny} -> {big} KiB, file {size // 1024} KiB")


def test_document(tmp, env, rich_env):
    rc, out, err = cpw(rich_env, "document", "--domain", "rich", "--region", "us-east-1",
                       "--output", "json")
    doc = json.loads(out)["domains"][0] if rc == 0 else {}
    check("document of a domain created through the API", rc == 0, err)
    # One region read: a domain created in another region in the same minutes could own the
    # role, so document ties none and says how to (inventory over every region).
    check("from one region its role is not guessed, and the document says how to tie it",
          doc.get("role", {}).get("confidence") == "none" and
          "--regions all --evidence cloudtrail" in doc.get("role", {}).get("how", ""),
          doc.get("role"))
    checklist = {c["item"]: c["ok"] for c in doc.get("checklist", [])}
    check("checklist finds the backup in the index", checklist.get("backup exists") is True,
          checklist)

    proc, endpoint = start_sandbox(tmp, "--scenario", "orphans")
    try:
        env = dict(env, AWS_ENDPOINT_URL=endpoint)
        rc, out, err = cpw(env, "document", "--all", "--regions", "us-east-1,eu-west-2",
                           "--region", "us-east-1", "--output", "json")
        docs = {d["domain"]: d for d in json.loads(out)["domains"]} if rc == 0 else {}
        check("document --all", rc == 0 and set(docs) == {"live-customers", "retired-customers"},
              err)
        live = docs.get("live-customers", {})
        retired = docs.get("retired-customers", {})
        check("live domain: 1 ACTIVE instance", live.get("associated_instance_count") == 1 and
              live["associated_instances"][0]["status"] == "ACTIVE", live)
        check("retired domain: its instance is gone",
              retired.get("associated_instance_count") == 1 and
              retired["associated_instances"][0]["status"] == "GONE", retired)
        live_checks = {c["item"]: c["ok"] for c in live.get("checklist", [])}
        retired_checks = {c["item"]: c["ok"] for c in retired.get("checklist", [])}
        check("live domain fails 'no ACTIVE instance'",
              live_checks.get("no ACTIVE instance uses the domain") is False)
        check("retired domain passes 'no ACTIVE instance'",
              retired_checks.get("no ACTIVE instance uses the domain") is True)
        check("profile counts recorded", live.get("configuration", {}).get("profile_count") == 3
              and retired.get("configuration", {}).get("profile_count") == 2)
        check("role confidence stated", all(d["role"]["confidence"] in
                                            ("certain", "likely", "possible", "none")
                                            for d in docs.values()))
        rc, md, err = cpw(env, "document", "--domain", "retired-customers", "--region",
                          "eu-west-2")
        check("markdown document", rc == 0, err)
        for heading in ("# Customer Profiles domain `retired-customers`", "## Overview",
                        "## Associated instances", "## Service-linked role", "## Configuration",
                        "## Pre-deletion checklist"):
            check(f"markdown has {heading}", heading in md)
        check("markdown shows the instance gone", "| GONE |" in md, md)
        check("markdown region", "| Instance region | eu-west-2 |" in md)
        check("markdown checklist", "- [x] no ACTIVE instance uses the domain" in md and
              "- [ ] backup exists" in md, md)
        rc, _, err = cpw(env, "document", "--domain", "nope", "--region", "us-east-1")
        check("unknown domain fails", rc == 254 and "nope" in err, err)
    finally:
        stop_sandbox(proc)


def main():
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        os.environ.pop(var, None)
    with tempfile.TemporaryDirectory() as tmp:
        state = os.path.join(tmp, "state")
        proc, endpoint = start_sandbox(tmp)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                   AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1",
                   AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                   AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="3",
                   XDG_STATE_HOME=state)
        try:
            good = test_round_trip(tmp, env, endpoint)
            test_bad_files(tmp, env, endpoint, good)
            test_memory(tmp, env, endpoint)
            test_document(tmp, env, env)
        finally:
            stop_sandbox(proc)
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
