#!/usr/bin/python3
"""run.py - runs moto's vendored IAM, STS and Organizations tests against the sandbox (CPWARDEN)
and holds the outcome to the ledger in expected/*.txt.

Every test that does not pass must be listed there, as `TEST | OUTCOME | REASON`, OUTCOME one of
  aws   it fails because it expects something AWS does not do; REASON cites the AWS documentation
        (or the AWS behaviour on record in docs/aws-facts.md) that shows it
  gap   it fails because the sandbox does not emulate that yet; REASON says what is missing
  internal  it calls moto's own Python code in-process (no AWS operation), so no server can
        make it pass; REASON names what it calls
  skip  it skips itself in moto's server mode (it reads moto's in-process backends), exactly as
        it does against moto's own server The run fails when a
test fails or skips without an entry, when a listed test now passes (the ledger is stale), or when
an entry has no reason. It prints the pass count over the total.

    CPWARDEN=build/cpwarden /usr/bin/python3 tests/moto_compat/run.py [-k EXPR]
"""
import glob
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def load_ledger():
    ledger, problems = {}, []
    for path in sorted(glob.glob(os.path.join(HERE, "expected", "*.txt"))):
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = [p.strip() for p in line.split("|", 2)]
                where = "%s:%d" % (os.path.relpath(path, HERE), lineno)
                if len(parts) != 3 or parts[1] not in ("aws", "gap", "internal", "skip") or not parts[2]:
                    problems.append("%s: want 'TEST | aws|gap|internal|skip | reason'" % where)
                    continue
                if parts[0] in ledger:
                    problems.append("%s: %s listed twice" % (where, parts[0]))
                ledger[parts[0]] = (parts[1], parts[2], where)
    return ledger, problems


def outcomes(junit):
    got = {}
    for case in ET.parse(junit).iter("testcase"):
        module = case.get("classname", "").replace(".", "/")
        test_id = "%s.py::%s" % (module.removeprefix("tests/"), case.get("name"))
        if case.find("failure") is not None or case.find("error") is not None:
            got[test_id] = "fail"
        elif case.find("skipped") is not None:
            got[test_id] = "skip"
        else:
            got[test_id] = "pass"
    return got


def main():
    if not os.environ.get("CPWARDEN"):
        sys.exit("run.py: set CPWARDEN to the cpwarden binary")
    os.environ["CPWARDEN"] = os.path.abspath(os.environ["CPWARDEN"])  # pytest runs from HERE
    ledger, problems = load_ledger()
    with tempfile.TemporaryDirectory() as tmp:
        junit = os.path.join(tmp, "junit.xml")
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
               "junit_family=xunit1", "--junitxml", junit, "-rN", os.path.join(HERE, "tests"),
               *sys.argv[1:]]
        subprocess.run(cmd, cwd=HERE, stdout=subprocess.DEVNULL, check=False)
        if not os.path.exists(junit):
            sys.exit("run.py: pytest wrote no report (is python3-pytest installed?)")
        got = outcomes(junit)
    partial = len(sys.argv) > 1
    for test_id, outcome in sorted(got.items()):
        entry = ledger.get(test_id)
        if outcome == "pass" and entry:
            problems.append("%s passes now: remove it from %s" % (test_id, entry[2]))
        elif outcome != "pass" and not entry:
            problems.append("%s: %s, and expected/ gives no reason" % (test_id, outcome))
        elif outcome != "pass" and (entry[0] == "skip") != (outcome == "skip"):
            problems.append("%s: %s, expected/ says %s" % (test_id, outcome, entry[0]))
    if not partial:
        for test_id, entry in sorted(ledger.items()):
            if test_id not in got:
                problems.append("%s (%s) is not a test any more" % (test_id, entry[2]))
    passed = sum(1 for o in got.values() if o == "pass")
    failed = [t for t, o in got.items() if o == "fail"]
    aws = sum(1 for t in failed if ledger.get(t, ("",))[0] == "aws")
    gap = sum(1 for t in failed if ledger.get(t, ("",))[0] == "gap")
    internal = sum(1 for t in failed if ledger.get(t, ("",))[0] == "internal")
    skipped = sum(1 for o in got.values() if o == "skip")
    run = len(got) - skipped
    print("moto compat: %d of %d tests pass against the sandbox; %d fail expecting what AWS does "
          "not do, %d fail on what the sandbox does not emulate yet, %d test moto's own code "
          "in-process, %d unexplained; %d skip in server mode"
          % (passed, run, aws, gap, internal, len(failed) - aws - gap - internal, skipped))
    for p in problems:
        print("  " + p)
    sys.exit(1 if problems or not got else 0)


if __name__ == "__main__":
    main()
