#!/usr/bin/python3
"""Golden comparison of two cpwarden builds' inventory documents (docs/performance.md, "Inventory").

Runs both binaries' `inventory --output json` over the same sandbox worlds and diffs the documents
with the time of the scan removed; any other difference is a failure. Worlds:

  * the safety campaign's seeded worlds (tests/safety/campaign.py): every inventory the campaign
    runs is preceded by one run of each binary, with the sandbox's fault and rate-limit knobs
    quiet (so that both read the same state), scope and regions as the campaign chose them;
  * the generated organizations `org:accounts=N,regions=R,leftover=L,seed=S` given with --org.

    golden.py --base OLD_CPWARDEN --new NEW_CPWARDEN [--worlds N] [--seed S]
              [--org accounts=20,regions=4,leftover=0.3,seed=1 ...]

Exit 0 when every document matched; the last line is "N documents compared, M differed".
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "safety"))

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGIONS = ["us-east-1", "us-west-2", "eu-west-2", "eu-central-1", "ap-southeast-2",
           "ap-northeast-1", "ca-central-1", "ap-southeast-1", "ap-northeast-2", "af-south-1"]
STATS = {"compared": 0, "differed": 0}


def normalise(text):
    doc = json.loads(text)
    doc.pop("scanned_at", None)
    return doc


def compare(label, base_out, new_out):
    STATS["compared"] += 1
    a, b = normalise(base_out), normalise(new_out)
    if a == b and json.dumps(a, indent=2) == json.dumps(b, indent=2):
        base_lines = [l for l in base_out.splitlines() if '"scanned_at"' not in l]
        new_lines = [l for l in new_out.splitlines() if '"scanned_at"' not in l]
        if base_lines == new_lines:
            return True
    STATS["differed"] += 1
    print("DIFFER: %s" % label)
    for section in a:
        if a.get(section) != b.get(section):
            print("  section %s differs" % section)
    return False


def run_pair(base, new, args, env, label):
    outs = []
    for binary in (base, new):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            path = f.name
        try:
            p = subprocess.run([binary] + args + ["--output", "json", "--output-file", path,
                                                  "--no-save"],
                               env=env, capture_output=True, timeout=600)
            if p.returncode not in (0, 3):
                print("DIFFER: %s: %s exited %d: %s" % (label, binary, p.returncode,
                                                        p.stderr.decode()[-300:]))
                STATS["differed"] += 1
                return False
            outs.append(open(path).read())
        finally:
            os.unlink(path)
    return compare(label, outs[0], outs[1])


def campaign(base, new, worlds, seed):
    import campaign as c  # noqa: E402 (the campaign's own world builder)
    original = c.World.cpw

    def cpw(self, args, env_extra=None, timeout=None):
        if args and args[0] == "inventory":
            keep = []
            skip = False
            for a in args:
                if skip:
                    skip = False
                    continue
                if a in ("--output", "--output-file", "-o"):
                    skip = True
                    continue
                if a == "--no-save":
                    continue
                keep.append(a)
            self.quiet_knobs(self.sbx)
            env = dict(self.env)
            env.update(env_extra or {})
            env["AWS_MAX_ATTEMPTS"] = "5"
            run_pair(base, new, keep, env, "world seed %d: %s" % (self.seed, " ".join(keep)))
            self.scan_knobs(self.sbx)
        return original(self, args, env_extra, timeout)

    c.World.cpw = cpw
    for i in range(worlds):
        w = c.World(new, i, seed * 100003 + i, False, control=False)
        try:
            w.run()
        except Exception as exc:  # the campaign's own verdicts are not this tool's business
            print("note: world %d: %s" % (i, exc))


def org(base, new, spec):
    parts = dict(kv.split("=", 1) for kv in spec.split(","))
    regions = ",".join(REGIONS[:int(parts.get("regions", "4"))])
    tmp = tempfile.mkdtemp(prefix="cpw-golden-")
    ready = os.path.join(tmp, "ready")
    sbx = subprocess.Popen([new, "sandbox", "--port", "0", "--ready-file", ready,
                            "--no-rate-limits", "--scenario", "org:" + spec],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if os.path.exists(ready) and os.path.getsize(ready) > 0:
                break
            time.sleep(0.1)
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith("AWS_"))
        env.update({"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                    "AWS_ENDPOINT_URL": open(ready).read().strip()})
        for extra in ([], ["--evidence", "cloudtrail"]):
            run_pair(base, new, ["inventory", "--org", "--regions", regions] + extra, env,
                     "org:%s %s" % (spec, " ".join(extra)))
    finally:
        sbx.terminate()
        sbx.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--worlds", type=int, default=0)
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--org", action="append", default=[])
    o = ap.parse_args()
    for spec in o.org:
        org(o.base, o.new, spec)
    if o.worlds:
        campaign(o.base, o.new, o.worlds, o.seed)
    print("%d documents compared, %d differed" % (STATS["compared"], STATS["differed"]))
    return 1 if STATS["differed"] or not STATS["compared"] else 0


if __name__ == "__main__":
    sys.exit(main())
