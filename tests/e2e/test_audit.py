"""cpwarden audit against `cpwarden sandbox`: every built-in rule triggered by a scenario (the
org: generator's audit knobs, and a scenario file for naming, empty domains and expiration) and
silent on the tidy twin of that scenario; least-privilege judged by the IAM policy engine over
each account's policies (a role allowed DeleteDomain on *, one scoped to a domain, an
administrator user, the members' access roles); the SARIF output validated against the official SARIF
2.1.0 JSON schema (vendored in tests/vectors/sarif/) with Debian's python3-jsonschema; the JUnit
XML parsed with Python's xml and checked for the structure Jenkins and GitLab read; --fail-on
exit codes; --diff after a fix and a new resource; --query; --from-inventory (a file and a
snapshot); the documentation rule satisfied by `cpwarden document`; the example rules files;
and rules-file mistakes named by line and column.

Run by CTest with /usr/bin/python3. Exit 77 (skipped) when jsonschema is not importable."""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import sandbox_lib

try:
    import jsonschema
except ImportError:
    print("skipped: Debian's python3-jsonschema is not installed")
    sys.exit(77)

CPWARDEN = os.environ["CPWARDEN"]
SOURCE = os.environ.get("CPW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PASSED = 0
FAILED = 0
ALL_RULES = ["leftovers", "naming", "tagging", "cloudtrail", "domain-kms-key",
             "domain-dead-letter-queue", "domain-expiration", "domain-empty", "domain-owner-tag",
             "role-unused", "role-deletion-task", "least-privilege", "documentation"]


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


def cpw(env, *args):
    p = subprocess.run([CPWARDEN, *args], env=env, capture_output=True, text=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


def by_rule(report):
    counts = {}
    for r in report["results"]:
        counts[r["rule"]] = counts.get(r["rule"], 0) + 1
    return counts


def rule_status(report, rule):
    return next(r for r in report["rules"] if r["id"] == rule)["status"]


def main():
    tmp = tempfile.mkdtemp(prefix="cpw-audit-")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
               AWS_DEFAULT_REGION="us-east-1", AWS_MAX_ATTEMPTS="1",
               AWS_CONFIG_FILE=os.path.join(tmp, "none"),
               AWS_SHARED_CREDENTIALS_FILE=os.path.join(tmp, "none"),
               AWS_EC2_METADATA_DISABLED="true", XDG_STATE_HOME=os.path.join(tmp, "state"))
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    rules_file = os.path.join(tmp, "rules.yaml")
    with open(rules_file, "w") as f:
        f.write("rules:\n"
                "  leftovers: {min_confidence: likely}\n"
                "  domain-expiration: {min_days: 1, max_days: 400}\n")

    # ----- an organization with every knob on, and its tidy twin --------------------------
    spec = "org:accounts=2,regions=1,leftover={l},untagged={p},trails_off={p}," \
           "unencrypted={p},stale_roles={s}"
    reports = {}
    for name, p, s, l in (("bad", 1, 1, 1), ("good", 0, 0, 0)):
        proc, ep = start_sandbox(tmp, "--scenario", spec.format(p=p, s=s, l=l))
        try:
            if name == "bad":
                # least-privilege: a role that may delete every domain, one scoped to a single
                # domain, and the management account's own administrator user
                trust = json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                    "Action": "sts:AssumeRole"}]})
                for role, resource in (("domain-janitor", "*"),
                                       ("domain-keeper", "arn:aws:profile:us-east-1:"
                                        "123456789012:domains/kept")):
                    doc = json.dumps({"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Action": "profile:DeleteDomain",
                        "Resource": resource}]})
                    for args in (("iam", "create-role", "--role-name", role,
                                  "--assume-role-policy-document", trust),
                                 ("iam", "put-role-policy", "--role-name", role,
                                  "--policy-name", "domains", "--policy-document", doc)):
                        rc, _, err = cpw(env, "api", "--endpoint-url", ep, *args)
                        check("least-privilege setup: " + " ".join(args[:2]), rc == 0, err)
                for args in (("iam", "create-user", "--user-name", "ops-admin"),
                             ("iam", "attach-user-policy", "--user-name", "ops-admin",
                              "--policy-arn", "arn:aws:iam::aws:policy/AdministratorAccess")):
                    rc, _, err = cpw(env, "api", "--endpoint-url", ep, *args)
                    check("least-privilege setup: " + " ".join(args[:2]), rc == 0, err)
            state = os.path.join(tmp, "state-" + name)
            rc, out, err = cpw(env, "audit", "--endpoint-url", ep, "--org", "--regions",
                               "us-east-1", "--rules", rules_file, "--state", state,
                               "--output", "json")
            check(name + ": audit exits 0 without --fail-on", rc == 0, err)
            reports[name] = json.loads(out)
            if name == "bad":
                rc, _, err = cpw(env, "audit", "--endpoint-url", ep, "--org", "--regions",
                                 "us-east-1", "--state", state, "--no-save", "--fail-on",
                                 "high", "--output", "json")
                check("bad: --fail-on high exits 5", rc == 5, err)
                check("...and says why", "at or above high" in err, err)
                for fmt in ("sarif", "junit", "markdown", "table"):
                    rc, out, err = cpw(env, "audit", "--endpoint-url", ep, "--org",
                                       "--regions", "us-east-1", "--rules", rules_file,
                                       "--state", state, "--no-save", "--output", fmt)
                    check("bad: --output " + fmt, rc == 0 and out, err)
                    with open(os.path.join(tmp, "out." + fmt), "w") as f:
                        f.write(out)
            else:
                rc, _, err = cpw(env, "audit", "--endpoint-url", ep, "--org", "--regions",
                                 "us-east-1", "--state", state, "--no-save", "--fail-on",
                                 "medium", "--rules",
                                 os.path.join(SOURCE, "examples", "audit-relaxed.yaml"))
                check("good: the relaxed example passes --fail-on medium", rc == 0, err)
        finally:
            stop_sandbox(proc)
    bad, good = by_rule(reports["bad"]), by_rule(reports["good"])
    for rule in ("leftovers", "tagging", "cloudtrail", "domain-kms-key",
                 "domain-dead-letter-queue", "domain-owner-tag", "role-unused"):
        check("org knobs trigger " + rule, bad.get(rule, 0) > 0, bad)
        check("the tidy org does not trigger " + rule, good.get(rule, 0) == 0, good)
    check("trails_off=1: every member account fails cloudtrail (the management account "
          "logs)", bad.get("cloudtrail") == 2, bad)
    check("least-privilege is evaluated (the IAM policy engine over each account's policies)",
          rule_status(reports["bad"], "least-privilege") == "evaluated")
    lp = [r["message"] for r in reports["bad"]["results"] if r["rule"] == "least-privilege"]
    check("least-privilege: a role allowed profile:DeleteDomain on * is reported",
          any("role/domain-janitor may call profile:DeleteDomain on *" in m for m in lp), lp)
    check("least-privilege: ...but not for what it was not granted",
          not any("domain-janitor" in m and "DeleteDomain" not in m for m in lp), lp)
    check("least-privilege: a role scoped to one domain is not",
          not any("domain-keeper" in m for m in lp), lp)
    check("least-privilege: a user with AdministratorAccess has administrator access",
          any("user/ops-admin may call every action on * (administrator access)" in m
              for m in lp), lp)
    check("least-privilege: each member's OrganizationAccountAccessRole (AdministratorAccess) "
          "too", sum("role/OrganizationAccountAccessRole may call every action" in m
                     for m in lp) == 2, lp)
    check("the report's summary counts its results",
          reports["bad"]["summary"]["violations"] == len(reports["bad"]["results"]))

    # ----- SARIF against the official schema ------------------------------------------------
    with open(os.path.join(SOURCE, "tests", "vectors", "sarif", "sarif-schema-2.1.0.json")) as f:
        schema = json.load(f)
    with open(os.path.join(tmp, "out.sarif")) as f:
        sarif = json.load(f)
    errors = list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    check("SARIF validates against the SARIF 2.1.0 schema", not errors,
          [e.message for e in errors[:3]])
    run = sarif["runs"][0]
    check("SARIF: one result per violation",
          len(run["results"]) == len(reports["bad"]["results"]))
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    check("SARIF: every rule described", ids == ALL_RULES, ids)
    check("SARIF: ruleIndex points at the rule",
          all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"]))
    check("SARIF: a broken document fails the schema (the check has teeth)",
          list(jsonschema.Draft4Validator(schema).iter_errors(dict(sarif, version="2.0"))))

    # ----- JUnit XML as Jenkins and GitLab read it --------------------------------------------
    root = ET.parse(os.path.join(tmp, "out.junit")).getroot()
    check("JUnit: root <testsuites>", root.tag == "testsuites")
    suites = root.findall("testsuite")
    check("JUnit: one <testsuite> per rule", [s.get("name") for s in suites] == ALL_RULES)
    failures = root.findall("testsuite/testcase/failure")
    check("JUnit: one <failure> per violation", len(failures) == len(reports["bad"]["results"]))
    check("JUnit: counts agree with the elements",
          all(int(s.get("tests")) == len(s.findall("testcase")) and
              int(s.get("failures")) == len(s.findall("testcase/failure")) and
              int(s.get("skipped")) == len(s.findall("testcase/skipped")) for s in suites) and
          int(root.get("failures")) == len(failures))
    check("JUnit: least-privilege's violations are <failure>s",
          len(root.findall("testsuite[@name='least-privilege']/testcase/failure")) ==
          sum(r["rule"] == "least-privilege" for r in reports["bad"]["results"]))
    check("JUnit: every failure has a message and a type",
          all(f.get("message") and f.get("type") for f in failures))

    # ----- a scenario file: naming, empty domains, expiration, documentation, diff -----------
    scenario = os.path.join(tmp, "scenario.json")
    with open(scenario, "w") as f:
        json.dump({"profile_domains": [
            {"name": "Bad_Name", "region": "us-east-1", "age_days": 60, "profiles": 0,
             "default_expiration_days": 1000},
            {"name": "good-one", "region": "us-east-1", "age_days": 60, "profiles": 2,
             "tags": {"owner": "team-a", "environment": "prod"},
             "encryption_key": "arn:aws:kms:us-east-1:123456789012:key/1",
             "dead_letter_queue": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}],
            "trails": [{"name": "main", "region": "us-east-1"}]}, f)
    proc, ep = start_sandbox(tmp, "--scenario", scenario)
    try:
        state = os.path.join(tmp, "state-file")
        base = ["audit", "--endpoint-url", ep, "--regions", "us-east-1", "--state", state,
                "--rules", rules_file]
        rc, out, err = cpw(env, *base, "--output", "json", "--diff", "--no-save")
        first = json.loads(out) if rc == 0 else {}
        check("--diff before any audit: everything is new",
              rc == 0 and first.get("fixed") == [] and len(first.get("new", [])) > 0 and
              "everything is new" in err, err)
        rc, out, err = cpw(env, *base, "--output", "json")
        report = json.loads(out)
        check("...and the first audit finds exactly those",
              sorted(r["fingerprint"] for r in report["results"]) ==
              sorted(r["fingerprint"] for r in first.get("new", [])))
        # metrics reads the audit just stored: one sample per rule, severity, account, region.
        rc, _, err = cpw(env, "inventory", "--endpoint-url", ep, "--regions", "us-east-1",
                         "--state", state, "--output", "json", "-o", os.path.join(tmp, "m.json"))
        rc2, metrics, err2 = cpw(env, "metrics", "--state", state)
        want = {}
        for r in report["results"]:
            key = (r["rule"], r["severity"], r["account"] or "")
            want[key] = want.get(key, 0) + 1
        got = {}
        for line in metrics.splitlines():
            if line.startswith("cpwarden_audit_violations{"):
                labels = dict(kv.split("=", 1) for kv in
                              line[line.index("{") + 1:line.rindex("}")].split(","))
                labels = {k: v.strip('"') for k, v in labels.items()}
                got[(labels["rule"], labels["severity"], labels.get("account", ""))] = \
                    got.get((labels["rule"], labels["severity"], labels.get("account", "")), 0) + \
                    int(float(line.rsplit(" ", 1)[1]))
        check("metrics carry the stored audit's violations", rc == 0 and rc2 == 0 and
              want and got == want, (err, err2, want, got))
        res = lambda rule, name: [r for r in report["results"]
                                  if r["rule"] == rule and r["name"] == name]
        for rule in ("naming", "domain-empty", "domain-expiration", "documentation",
                     "domain-owner-tag"):
            check(rule + " flags Bad_Name", len(res(rule, "Bad_Name")) == 1, report["results"])
        for rule in ("naming", "domain-empty", "domain-expiration", "domain-kms-key",
                     "domain-dead-letter-queue", "domain-owner-tag", "tagging"):
            check(rule + " passes good-one", not res(rule, "good-one"))
        check("a logging multi-region trail passes cloudtrail",
              not [r for r in report["results"] if r["rule"] == "cloudtrail"])
        rc, out, err = cpw(env, "document", "--endpoint-url", ep, "--region", "us-east-1",
                           "--domain", "good-one", "--state", state)
        check("document records good-one", rc == 0, err)
        rc, out, err = cpw(env, *base, "--output", "json")
        report = json.loads(out)
        check("...and the documentation rule is satisfied for it",
              not res("documentation", "good-one") and res("documentation", "Bad_Name"))
        # --diff: tag Bad_Name's owner (fixed), add a badly named domain (new)
        arn = "arn:aws:profile:us-east-1:123456789012:domains/Bad_Name"
        cpw(env, "api", "--endpoint-url", ep, "--region", "us-east-1", "customer-profiles",
            "tag-resource", "--resource-arn", arn, "--tags", "owner=team-b")
        cpw(env, "api", "--endpoint-url", ep, "--region", "us-east-1", "customer-profiles",
            "create-domain", "--domain-name", "Another_Bad", "--default-expiration-days", "30")
        rc, out, err = cpw(env, *base, "--diff", "--output", "json")
        check("--diff exits 0", rc == 0, err)
        diff = json.loads(out)
        fixed = {(r["rule"], r["name"]) for r in diff["fixed"]}
        new = {(r["rule"], r["name"]) for r in diff["new"]}
        check("--diff: the owner tag fix is listed as fixed",
              ("domain-owner-tag", "Bad_Name") in fixed, fixed)
        check("--diff: the new domain's violations are new",
              ("naming", "Another_Bad") in new and not any(n == "Bad_Name" for _, n in new), new)
        rc, out, err = cpw(env, *base, "--no-save", "--query", "summary.violations")
        full = json.loads(cpw(env, *base, "--no-save", "--output", "json")[1])
        check("--query filters the report", rc == 0 and json.loads(out) == len(full["results"]),
              out + err)
        rc, _, err = cpw(env, *base, "--no-save", "--query", "x", "--output", "table")
        check("--query with a table is a usage error", rc == 252, err)
        # --from-inventory: a file, and the latest snapshot
        inv = os.path.join(tmp, "inv.json")
        rc, _, err = cpw(env, "inventory", "--endpoint-url", ep, "--regions", "us-east-1",
                         "--state", state, "--output", "json", "-o", inv)
        for src in (inv, "snapshot"):
            rc, out, err = cpw(env, "audit", "--from-inventory", src, "--state", state,
                               "--no-save", "--rules", rules_file, "--output", "json")
            check("--from-inventory " + src + " runs offline", rc == 0, err)
            stored = json.loads(out) if rc == 0 else {"results": [], "rules": ALL_RULES and
                                                      [{"id": x, "status": ""} for x in ALL_RULES]}
            check("...with the same naming results",
                  sorted(r["name"] for r in stored["results"] if r["rule"] == "naming") ==
                  sorted(r["name"] for r in full["results"] if r["rule"] == "naming"))
            check("...and cloudtrail not evaluated",
                  rule_status(stored, "cloudtrail") == "not-evaluated")
        rc, out, err = cpw(env, *base, "--no-save", "--output", "json", "--rules",
                           os.path.join(SOURCE, "examples", "audit-strict.yaml"),
                           "--fail-on", "medium")
        check("the strict example runs and fails on medium (exit 5)", rc == 5, err)
    finally:
        stop_sandbox(proc)

    # ----- a deletion task cpwarden submitted that stays pending, then settles -----------------
    proc, ep = start_sandbox(tmp, "--scenario", "orphans", "--role-persists",
                             "--slr-deletion-delay-ms", "600000")
    try:
        state = os.path.join(tmp, "state-tasks")
        role = "AWSServiceRoleForProfile_OrphanDomainRole0002"
        plan = os.path.join(tmp, "plan.json")
        rc, _, err = cpw(env, "plan", "--endpoint-url", ep, "--domain", "retired-customers",
                         "--region", "eu-west-2", "--role", role, "-o", plan)
        check("plan for the orphaned domain and its role", rc == 0, err)
        rc, _, err = cpw(env, "apply", "--endpoint-url", ep, plan, "--yes", "--state", state,
                         "--poll-interval", "20ms", "--wait", "300ms")
        check("apply submits the deletion task and gives up waiting", rc != 0, err)
        pending = os.path.join(tmp, "pending.yaml")
        with open(pending, "w") as f:
            f.write("rules:\n  role-deletion-task: {max_pending_days: 0}\n")
        audit = ["audit", "--endpoint-url", ep, "--regions", "us-east-1,eu-west-2", "--state",
                 state, "--no-save", "--output", "json", "--rules", pending]
        rc, out, err = cpw(env, *audit)
        tasks = [r for r in json.loads(out)["results"] if r["rule"] == "role-deletion-task"]
        check("the pending task (read from the journal, asked of IAM) is reported",
              len(tasks) == 1 and tasks[0]["name"] == role and "IN_PROGRESS" in
              tasks[0]["message"], tasks or err)
        rc, out, err = cpw(env, *audit[:-2])
        check("...not with the default max_pending_days (1) on the day it was submitted",
              not [r for r in json.loads(out)["results"] if r["rule"] == "role-deletion-task"])
        import urllib.request
        urllib.request.urlopen(urllib.request.Request(
            ep + "/_cpwarden/clock?advance_ms=700000", method="POST")).read()
        rc, out, err = cpw(env, *audit)
        check("once the task has settled and the role is gone, nothing is reported",
              not [r for r in json.loads(out)["results"] if r["rule"] == "role-deletion-task"],
              out)
    finally:
        stop_sandbox(proc)

    # ----- rules-file mistakes -----------------------------------------------------------------
    broken = os.path.join(tmp, "broken.yaml")
    with open(broken, "w") as f:
        f.write("rules:\n  tagging:\n    requried: [owner]\n")
    rc, _, err = cpw(env, "audit", "--from-inventory", os.path.join(tmp, "inv.json"), "--rules",
                     broken, "--no-save", "--state", os.path.join(tmp, "state-x"))
    check("an unknown key exits 253", rc == 253, err)
    check("...naming file, line and column and the nearest key",
          broken + ":3:5: unknown key 'requried'" in err and "'required'" in err, err)
    with open(broken, "w") as f:
        f.write("rules:\n  tagging: [\n")
    rc, _, err = cpw(env, "audit", "--from-inventory", os.path.join(tmp, "inv.json"), "--rules",
                     broken, "--no-save", "--state", os.path.join(tmp, "state-x"))
    check("malformed YAML exits 253 naming the line", rc == 253 and "line " in err, err)
    rc, _, err = cpw(env, "audit", "--fail-on", "severe")
    check("an unknown --fail-on severity is a usage error", rc == 252, err)

    print(f"{PASSED} passed, {FAILED} failed")
    return 0 if FAILED == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
