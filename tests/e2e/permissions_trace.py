#!/usr/bin/env python3
"""permissions_trace.py - the IAM actions a cpwarden run called, read from its --debug output.

Usage: permissions_trace.py MODELS_DIR DEBUG_LOG...   prints one IAM action a line, sorted.

Every request cpwarden sends is printed by --debug as HTTP text (the request line, the headers,
the body). The service is the signing name in the Authorization header's credential scope; the
operation is the query protocol's Action=, the JSON protocol's X-Amz-Target, or for REST
services the model operation whose method and request URI template match. The IAM action is
the service's action prefix and the operation's name (the service authorization reference
names them alike for every operation cpwarden calls).
"""
import glob
import json
import os
import re
import sys
import urllib.parse

# Signing name -> IAM action prefix, where they differ.
PREFIX = {"monitoring": "cloudwatch"}


def load_models(models_dir):
    models = {}
    for path in glob.glob(os.path.join(models_dir, "*.json")):
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        md = m.get("metadata")
        if not md:
            continue
        signing = md.get("signingName") or md.get("endpointPrefix")
        models[signing] = m
    return models


def template_regex(uri):
    path = uri.split("?", 1)[0]
    out = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            out += "[^/]+" if not part.endswith("+}") else ".+"
        else:
            out += re.escape(part)
    return re.compile("^" + out + "/?$")


def rest_operation(model, method, path):
    best = None
    for name, op in model["operations"].items():
        http = op.get("http", {})
        if http.get("method") != method:
            continue
        if template_regex(http.get("requestUri", "/")).match(path):
            literal = len(re.sub(r"\{[^}]+\}", "", http.get("requestUri", "")))
            if best is None or literal > best[0]:
                best = (literal, name)
    return best[1] if best else None


def requests(text):
    """Yields (method, path, headers, body) for every request block."""
    blocks = re.split(r"^cpwarden: debug: HTTP (?:request|response)[^\n]*\n", text, flags=re.M)
    kinds = re.findall(r"^cpwarden: debug: HTTP (request|response)", text, flags=re.M)
    for kind, block in zip(kinds, blocks[1:]):
        if kind != "request":
            continue
        head, _, body = block.partition("\n\n")
        lines = head.split("\n")
        method, target = lines[0].split(" ")[:2]
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(": ")
            headers[k.lower()] = v
        # The body ends where the next debug line starts (stderr may hold other log lines).
        body = body.split("\ncpwarden: ", 1)[0]
        yield method, target, headers, body.strip()


def actions(models, text):
    found = set()
    for method, target, headers, body in requests(text):
        scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("authorization", ""))
        if not scope:
            continue  # unsigned (SSO portal, web identity): no IAM action
        signing = scope.group(1)
        model = models.get(signing)
        if model is None:
            raise SystemExit("no model signs as %s" % signing)
        proto = model["metadata"]["protocol"]
        path = target.split("?", 1)[0]
        if proto == "query":
            op = urllib.parse.parse_qs(body).get("Action", [None])[0]
        elif proto == "json":
            op = headers.get("x-amz-target", "").rpartition(".")[2] or None
        else:
            op = rest_operation(model, method, path)
        if not op:
            raise SystemExit("cannot tell the operation of %s %s (%s)" % (method, target, signing))
        found.add("%s:%s" % (PREFIX.get(signing, signing), op))
    return found


def main():
    models = load_models(sys.argv[1])
    found = set()
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8", errors="replace") as f:
            found |= actions(models, f.read())
    for a in sorted(found):
        print(a)


if __name__ == "__main__":
    main()
