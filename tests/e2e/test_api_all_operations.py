"""Every operation the sandbox emulates, called through `cpwarden api` and through Debian's boto3
(an independent client) with the same input, and the outputs compared.

boto3 reads the same service models as cpwarden (src/models/, botocore 1.43's, through
AWS_DATA_PATH), so that operations newer than Debian's botocore are covered too: the wire
formats are still produced and read by botocore's own serializers and parsers.
Two sandboxes start from the same state; the same sequence of calls runs against each, one with
cpwarden, one with boto3. Inputs start from the model's required members (placeholder values
by type) with the values that refer to earlier results filled in. Outputs must be equal once
request-specific values (timestamps, generated ids, tokens, user agents) are masked - so the
serialization of every input and the parsing of every output is checked against botocore.
The list of emulated operations is read from the sandbox's service tables
(src/sandbox/*.c), so a new operation without a step here fails the test.

Run by CTest with /usr/bin/python3. Exit 77 (skipped) when boto3 is not importable."""
import base64
import datetime
import json
import os
import re
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
SOURCE = os.environ.get("CPW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
ACCT = "123456789012"
REGION = "us-east-1"
PASSED = 0
FAILED = 0

# Files of src/sandbox/ whose s_ops table belongs to each service (model name).
SERVICE_FILES = {"customer_profiles.c": "customer-profiles", "connect.c": "connect",
                 "iam_roles.c": "iam", "sts.c": "sts", "organizations.c": "organizations",
                 "cloudtrail.c": "cloudtrail"}


def check(name, cond, detail=""):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAILED:", name, detail)


def emulated_operations():
    ops = set()
    for fname, service in SERVICE_FILES.items():
        with open(os.path.join(SOURCE, "src", "sandbox", fname)) as f:
            text = f.read()
        table = re.search(r"static const struct cpw_sbx_op s_ops\[\] = \{(.*?)\n\};", text, re.S)
        ops.update((service, name) for name in re.findall(r'\{\s*"([A-Za-z]+)",', table.group(1)))
    return ops


MODELS = {}


def model(service):
    if service not in MODELS:
        with open(os.path.join(SOURCE, "src", "models", service + ".json")) as f:
            MODELS[service] = json.load(f)
    return MODELS[service]


def placeholder(service, shape_name, depth=0):
    """A value of the shape built from its required members only."""
    m = model(service)
    shape = m["shapes"][shape_name]
    kind = shape["type"]
    if kind == "structure":
        return {k: placeholder(service, shape["members"][k]["shape"], depth + 1)
                for k in shape.get("required", [])}
    if kind == "list":
        return [placeholder(service, shape["member"]["shape"], depth + 1)]
    if kind == "map":
        return {"k1": placeholder(service, shape["value"]["shape"], depth + 1)}
    if kind == "string":
        return shape["enum"][0] if "enum" in shape else "x" * max(1, shape.get("min", 1))
    if kind in ("integer", "long"):
        return max(1, int(shape.get("min", 1)))
    if kind == "boolean":
        return True
    raise AssertionError(f"no placeholder for {shape_name} ({kind})")


def minimal(service, operation, **given):
    """The operation's required members (placeholders), with the given values on top."""
    m = model(service)
    doc = placeholder(service, m["operations"][operation]["input"]["shape"]) \
        if "input" in m["operations"][operation] else {}
    doc.update(given)
    return doc


def install_models(tmp):
    """Our models as botocore data (AWS_DATA_PATH), with Debian botocore's endpoint rules."""
    import botocore as bc
    root = os.path.join(tmp, "models")
    for service in set(SERVICE_FILES.values()):
        doc = dict(model(service))
        doc.pop("paginators", None)
        version = doc["metadata"]["apiVersion"]
        target = os.path.join(root, service, version)
        os.makedirs(target)
        with open(os.path.join(target, "service-2.json"), "w") as f:
            json.dump(doc, f)
        rules = os.path.join(os.path.dirname(bc.__file__), "data", service, version,
                             "endpoint-rule-set-1.json")
        if os.path.exists(rules):
            with open(rules) as src, open(os.path.join(target, "endpoint-rule-set-1.json"), "w") as dst:
                dst.write(src.read())
    os.environ["AWS_DATA_PATH"] = root


def start_sandbox(tmp, name):
    ready = os.path.join(tmp, name + ".ready")
    return sandbox_lib.start_sandbox(CPWARDEN, ready, [
        "--no-rate-limits", "--slr-deletion-delay-ms", "0",
        "--knob", "instance_activation_ms=0", "--knob", "profile_job_ms=0",
        "--knob", "identity_job_ms=0", "--knob", "recommender_ms=0",
        "--knob", "create_account_delay_ms=0", "--seed", "7"
    ])


class CpwardenSide:
    name = "cpwarden"

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def call(self, service, operation, params):
        # One call, as boto3's client makes one: no pagination (the AWS CLI's default follows
        # every page).
        proc = subprocess.run([CPWARDEN, "api", "--endpoint-url", self.endpoint, "--region", REGION,
                               "--no-paginate", service, operation, json.dumps(params)],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode != 0:
            return {"__error__": proc.stderr.strip()}
        return json.loads(proc.stdout) if proc.stdout.strip() else {}


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):  # blobs: base64 text, as `cpwarden api` prints them
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class Boto3Side:
    name = "boto3"

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.clients = {}

    def call(self, service, operation, params):
        if service not in self.clients:
            self.clients[service] = boto3.client(
                service, endpoint_url=self.endpoint, region_name=REGION,
                aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
        client = self.clients[service]
        method = getattr(client, client.meta.method_to_api_mapping and
                         {v: k for k, v in client.meta.method_to_api_mapping.items()}[operation])
        try:
            out = method(**params)
        except client.exceptions.ClientError as e:
            return {"__error__": f"{e.response['Error'].get('Code')}: {e}"}
        out.pop("ResponseMetadata", None)
        return _jsonable(out)


MASKS = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)"), "<time>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b(AROA|AIDA|ASIA|AKIA|ANPA|AGPA|AIPA|APKA)[A-Z0-9]{12,17}\b"), "<id>"),
    (re.compile(r"(AWSServiceRoleFor[A-Za-z]+_)[A-Za-z0-9]{20}\b"), r"\1<suffix>"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "<hex64>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<hex32>"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:<port>"),
    (re.compile(r"\b\d{8}T\d{6}Z\b"), "<amz-date>"),
    (re.compile(r"\b(?!123456789012\b)\d{12}\b"), "<account>"),
    (re.compile(r"\b(o|r|ou|p|car)-[a-z0-9]{4,32}(-[a-z0-9]{8,32})?\b"), "<org-id>"),
]
MASKED_KEYS = {"NextToken", "Marker", "SecretAccessKey", "SessionToken", "userAgent",
               "sourceIPAddress", "ProfileObjectUniqueKey", "Base32StringSeed"}
REPORT_B64 = base64.b64encode(b"user,arn,").decode()  # a credential report's CSV, base64


def normalize(value, key=None):
    if key in MASKED_KEYS:
        return "<masked>"
    if key == "CloudTrailEvent" and isinstance(value, str):
        return normalize(json.loads(value))
    if key == "Content" and isinstance(value, str) and value.startswith(REPORT_B64):
        return normalize(base64.b64decode(value).decode())
    if isinstance(value, dict):
        return {k: normalize(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str):
        for pattern, repl in MASKS:
            value = pattern.sub(repl, value)
    return value


def steps():
    """(service, operation, input function of the side's earlier results, capture function)."""
    S = []

    def add(service, operation, params=lambda r: {}, **given):
        S.append((service, operation, params, given))

    POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"}, "Action": "sts:AssumeRole"}]})
    # --- STS, IAM -------------------------------------------------------------------------------
    add("sts", "GetCallerIdentity")
    add("sts", "GetSessionToken", lambda r: {"DurationSeconds": 900})
    add("sts", "GetFederationToken", lambda r: {"Name": "e2e", "DurationSeconds": 900, "Policy": json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]})})
    add("sts", "GetAccessKeyInfo", lambda r: {"AccessKeyId": KEY})
    add("iam", "CreateRole", lambda r: minimal("iam", "CreateRole", RoleName="app", Path="/e2e/",
                                               AssumeRolePolicyDocument=POLICY, Description="d"))
    add("iam", "GetRole", lambda r: {"RoleName": "app"})
    add("iam", "ListRoles", lambda r: {"PathPrefix": "/e2e/"})
    add("iam", "UpdateRole", lambda r: minimal("iam", "UpdateRole", RoleName="app", MaxSessionDuration=7200))
    add("iam", "UpdateRoleDescription", lambda r: minimal("iam", "UpdateRoleDescription", RoleName="app", Description="d2"))
    add("iam", "AttachRolePolicy", lambda r: minimal("iam", "AttachRolePolicy", RoleName="app",
                                                     PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"))
    add("iam", "ListAttachedRolePolicies", lambda r: minimal("iam", "ListAttachedRolePolicies", RoleName="app"))
    add("iam", "PutRolePolicy", lambda r: minimal("iam", "PutRolePolicy", RoleName="app", PolicyName="inline",
                                                  PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})))
    add("iam", "GetRolePolicy", lambda r: minimal("iam", "GetRolePolicy", RoleName="app", PolicyName="inline"))
    add("iam", "ListRolePolicies", lambda r: minimal("iam", "ListRolePolicies", RoleName="app"))
    add("iam", "TagRole", lambda r: minimal("iam", "TagRole", RoleName="app",
                                            Tags=[{"Key": "team", "Value": "ops"}, {"Key": "env", "Value": "dev"}]))
    add("iam", "UntagRole", lambda r: minimal("iam", "UntagRole", RoleName="app", TagKeys=["env"]))
    add("iam", "ListRoleTags", lambda r: minimal("iam", "ListRoleTags", RoleName="app"))
    add("sts", "AssumeRole", lambda r: minimal("sts", "AssumeRole", RoleArn=f"arn:aws:iam::{ACCT}:role/e2e/app",
                                               RoleSessionName="s1"))
    # --- STS federation: unsigned on AWS (boto3 sends them unsigned, cpwarden api signs) -------
    # AssumeRoleWithSAML needs the IAM SAML provider its PrincipalArn names.
    SAML_METADATA = ('<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.e2e">'
                     '<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>'
                     '</EntityDescriptor><!--' + " " * 1000 + "-->")
    add("iam", "CreateSAMLProvider", lambda r: {"Name": "e2e-idp", "SAMLMetadataDocument": SAML_METADATA})
    FED = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCT}:oidc-provider/idp.example.com"},
         "Action": "sts:AssumeRoleWithWebIdentity"},
        {"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCT}:saml-provider/e2e-idp"},
         "Action": "sts:AssumeRoleWithSAML"}]})

    def b64url(doc):
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    JWT = ".".join([b64url({"alg": "RS256"}), b64url({"iss": "https://idp.example.com", "sub": "user-1",
                                                       "aud": "sts.amazonaws.com"}), "c2ln"])
    SAML = base64.b64encode(
        b'<samlp:Response><saml:Assertion><saml:Subject><saml:NameID>ana@example.com</saml:NameID>'
        b'</saml:Subject><saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">'
        b'<saml:AttributeValue>ana</saml:AttributeValue></saml:Attribute></saml:Assertion>'
        b'</samlp:Response>').decode()
    add("iam", "CreateRole", lambda r: {"RoleName": "fed", "Path": "/e2e/", "AssumeRolePolicyDocument": FED})
    add("sts", "AssumeRoleWithWebIdentity", lambda r: {
        "RoleArn": f"arn:aws:iam::{ACCT}:role/e2e/fed", "RoleSessionName": "web", "WebIdentityToken": JWT})
    add("sts", "AssumeRoleWithSAML", lambda r: {
        "RoleArn": f"arn:aws:iam::{ACCT}:role/e2e/fed", "PrincipalArn": f"arn:aws:iam::{ACCT}:saml-provider/e2e-idp",
        "SAMLAssertion": SAML})
    add("iam", "DeleteRole", lambda r: {"RoleName": "fed"})
    # --- end of STS federation ------------------------------------------------------------------
    add("iam", "PutRolePermissionsBoundary", lambda r: minimal(
        "iam", "PutRolePermissionsBoundary", RoleName="app",
        PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess"))
    add("iam", "SimulatePrincipalPolicy", lambda r: minimal(
        "iam", "SimulatePrincipalPolicy", PolicySourceArn=f"arn:aws:iam::{ACCT}:role/e2e/app",
        ActionNames=["iam:GetRole", "iam:CreateRole"]))
    add("iam", "SimulateCustomPolicy", lambda r: minimal(
        "iam", "SimulateCustomPolicy", ActionNames=["iam:GetRole"],
        PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]})]))
    add("iam", "DeleteRolePermissionsBoundary", lambda r: minimal(
        "iam", "DeleteRolePermissionsBoundary", RoleName="app"))
    add("iam", "DeleteRolePolicy", lambda r: minimal("iam", "DeleteRolePolicy", RoleName="app", PolicyName="inline"))
    add("iam", "DetachRolePolicy", lambda r: minimal("iam", "DetachRolePolicy", RoleName="app",
                                                     PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"))
    add("iam", "DeleteRole", lambda r: {"RoleName": "app"})
    add("iam", "CreateUser", lambda r: minimal("iam", "CreateUser", UserName="ops", Path="/"))
    add("iam", "GetUser", lambda r: {"UserName": "ops"})
    add("iam", "PutUserPermissionsBoundary", lambda r: minimal(
        "iam", "PutUserPermissionsBoundary", UserName="ops",
        PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess"))
    add("iam", "DeleteUserPermissionsBoundary", lambda r: minimal(
        "iam", "DeleteUserPermissionsBoundary", UserName="ops"))
    add("iam", "ListUsers")
    add("iam", "CreateAccessKey", lambda r: {"UserName": "ops"})
    add("iam", "ListAccessKeys", lambda r: {"UserName": "ops"})
    add("iam", "DeleteAccessKey", lambda r: {"UserName": "ops",
                                             "AccessKeyId": r["CreateAccessKey"]["AccessKey"]["AccessKeyId"]})
    add("iam", "DeleteUser", lambda r: {"UserName": "ops"})
    add("iam", "CreateServiceLinkedRole", lambda r: minimal("iam", "CreateServiceLinkedRole",
                                                            AWSServiceName="profile.amazonaws.com"))
    add("iam", "DeleteServiceLinkedRole", lambda r: {"RoleName": r["CreateServiceLinkedRole"]["Role"]["RoleName"]})
    add("iam", "GetServiceLinkedRoleDeletionStatus",
        lambda r: {"DeletionTaskId": r["DeleteServiceLinkedRole"]["DeletionTaskId"]})
    # --- IAM breadth: managed policies, groups, users, instance profiles, account -------------
    # (begin of the IAM breadth block)
    DOC = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    PARN = f"arn:aws:iam::{ACCT}:policy/e2e/ops-policy"
    add("iam", "CreatePolicy", lambda r: {"PolicyName": "ops-policy", "Path": "/e2e/", "PolicyDocument": DOC,
                                          "Description": "e2e", "Tags": [{"Key": "k", "Value": "v"}]})
    add("iam", "GetPolicy", lambda r: {"PolicyArn": PARN})
    add("iam", "CreatePolicyVersion", lambda r: {"PolicyArn": PARN, "PolicyDocument": DOC, "SetAsDefault": True})
    add("iam", "GetPolicyVersion", lambda r: {"PolicyArn": PARN, "VersionId": "v2"})
    add("iam", "ListPolicyVersions", lambda r: {"PolicyArn": PARN})
    add("iam", "SetDefaultPolicyVersion", lambda r: {"PolicyArn": PARN, "VersionId": "v1"})
    add("iam", "DeletePolicyVersion", lambda r: {"PolicyArn": PARN, "VersionId": "v2"})
    add("iam", "ListPolicies", lambda r: {"Scope": "All", "MaxItems": 5})
    add("iam", "TagPolicy", lambda r: {"PolicyArn": PARN, "Tags": [{"Key": "t", "Value": "1"}]})
    add("iam", "UntagPolicy", lambda r: {"PolicyArn": PARN, "TagKeys": ["k"]})
    add("iam", "ListPolicyTags", lambda r: {"PolicyArn": PARN})
    add("iam", "CreateGroup", lambda r: {"GroupName": "devs", "Path": "/e2e/"})
    add("iam", "CreateUser", lambda r: {"UserName": "dev1"})
    add("iam", "AddUserToGroup", lambda r: {"GroupName": "devs", "UserName": "dev1"})
    add("iam", "GetGroup", lambda r: {"GroupName": "devs"})
    add("iam", "ListGroups", lambda r: {"PathPrefix": "/e2e/"})
    add("iam", "ListGroupsForUser", lambda r: {"UserName": "dev1"})
    add("iam", "AttachGroupPolicy", lambda r: {"GroupName": "devs", "PolicyArn": PARN})
    add("iam", "ListAttachedGroupPolicies", lambda r: {"GroupName": "devs"})
    add("iam", "AttachUserPolicy", lambda r: {"UserName": "dev1",
                                              "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
    add("iam", "ListAttachedUserPolicies", lambda r: {"UserName": "dev1"})
    add("iam", "ListEntitiesForPolicy", lambda r: {"PolicyArn": PARN})
    add("iam", "PutGroupPolicy", lambda r: {"GroupName": "devs", "PolicyName": "g", "PolicyDocument": DOC})
    add("iam", "GetGroupPolicy", lambda r: {"GroupName": "devs", "PolicyName": "g"})
    add("iam", "ListGroupPolicies", lambda r: {"GroupName": "devs"})
    add("iam", "DeleteGroupPolicy", lambda r: {"GroupName": "devs", "PolicyName": "g"})
    add("iam", "PutUserPolicy", lambda r: {"UserName": "dev1", "PolicyName": "u", "PolicyDocument": DOC})
    add("iam", "GetUserPolicy", lambda r: {"UserName": "dev1", "PolicyName": "u"})
    add("iam", "ListUserPolicies", lambda r: {"UserName": "dev1"})
    add("iam", "DeleteUserPolicy", lambda r: {"UserName": "dev1", "PolicyName": "u"})
    add("iam", "TagUser", lambda r: {"UserName": "dev1", "Tags": [{"Key": "team", "Value": "a"}]})
    add("iam", "ListUserTags", lambda r: {"UserName": "dev1"})
    add("iam", "UntagUser", lambda r: {"UserName": "dev1", "TagKeys": ["team"]})
    add("iam", "UpdateAccountPasswordPolicy", lambda r: {"MinimumPasswordLength": 10, "RequireNumbers": True})
    add("iam", "GetAccountPasswordPolicy")
    add("iam", "CreateLoginProfile", lambda r: {"UserName": "dev1", "Password": "correcthorse42",
                                                "PasswordResetRequired": True})
    add("iam", "GetLoginProfile", lambda r: {"UserName": "dev1"})
    add("iam", "UpdateLoginProfile", lambda r: {"UserName": "dev1", "PasswordResetRequired": False})
    add("iam", "DeleteLoginProfile", lambda r: {"UserName": "dev1"})
    add("iam", "DeleteAccountPasswordPolicy")
    add("iam", "CreateAccessKey", lambda r: {"UserName": "dev1"})
    add("iam", "GetAccessKeyLastUsed", lambda r: {"AccessKeyId": r["CreateAccessKey"]["AccessKey"]["AccessKeyId"]})
    add("iam", "UpdateAccessKey", lambda r: {"UserName": "dev1", "Status": "Inactive",
                                             "AccessKeyId": r["CreateAccessKey"]["AccessKey"]["AccessKeyId"]})
    add("iam", "DeleteAccessKey", lambda r: {"UserName": "dev1",
                                             "AccessKeyId": r["CreateAccessKey"]["AccessKey"]["AccessKeyId"]})
    # IAM identities: renames, SSH public keys, MFA devices, the credential report
    SSH_MODULUS = b"\x00\xc1" + bytes(i % 256 for i in range(255))  # 2048 bits
    SSH_KEY = "ssh-rsa " + base64.b64encode(b"".join(
        len(f).to_bytes(4, "big") + f for f in (b"ssh-rsa", b"\x01\x00\x01", SSH_MODULUS))).decode()
    SSH_ID = (lambda r: r["UploadSSHPublicKey"]["SSHPublicKey"]["SSHPublicKeyId"])
    MFA = (lambda r: r["CreateVirtualMFADevice"]["VirtualMFADevice"]["SerialNumber"])
    add("iam", "UpdateUser", lambda r: {"UserName": "dev1", "NewPath": "/e2e/"})
    add("iam", "UpdateGroup", lambda r: {"GroupName": "devs", "NewPath": "/e2e/ops/"})
    add("iam", "UploadSSHPublicKey", lambda r: {"UserName": "dev1", "SSHPublicKeyBody": SSH_KEY})
    add("iam", "GetSSHPublicKey", lambda r: {"UserName": "dev1", "SSHPublicKeyId": SSH_ID(r),
                                             "Encoding": "SSH"})
    add("iam", "ListSSHPublicKeys", lambda r: {"UserName": "dev1"})
    add("iam", "UpdateSSHPublicKey", lambda r: {"UserName": "dev1", "SSHPublicKeyId": SSH_ID(r),
                                                "Status": "Inactive"})
    add("iam", "DeleteSSHPublicKey", lambda r: {"UserName": "dev1", "SSHPublicKeyId": SSH_ID(r)})
    add("iam", "CreateVirtualMFADevice", lambda r: {"VirtualMFADeviceName": "dev1-mfa"})
    add("iam", "EnableMFADevice", lambda r: {"UserName": "dev1", "SerialNumber": MFA(r),
                                             "AuthenticationCode1": "123456",
                                             "AuthenticationCode2": "654321"})
    add("iam", "ListMFADevices", lambda r: {"UserName": "dev1"})
    add("iam", "ListVirtualMFADevices")
    add("iam", "GenerateCredentialReport")
    add("iam", "GetCredentialReport")
    add("iam", "DeactivateMFADevice", lambda r: {"UserName": "dev1", "SerialNumber": MFA(r)})
    add("iam", "DeleteVirtualMFADevice", lambda r: {"SerialNumber": MFA(r)})
    add("iam", "CreateRole", lambda r: {"RoleName": "ec2", "AssumeRolePolicyDocument": POLICY})
    add("iam", "CreateInstanceProfile", lambda r: {"InstanceProfileName": "web", "Path": "/e2e/"})
    add("iam", "AddRoleToInstanceProfile", lambda r: {"InstanceProfileName": "web", "RoleName": "ec2"})
    add("iam", "GetInstanceProfile", lambda r: {"InstanceProfileName": "web"})
    add("iam", "UpdateAssumeRolePolicy", lambda r: {"RoleName": "ec2", "PolicyDocument": POLICY})
    add("iam", "TagInstanceProfile", lambda r: {"InstanceProfileName": "web",
                                                "Tags": [{"Key": "team", "Value": "a"}]})
    add("iam", "ListInstanceProfileTags", lambda r: {"InstanceProfileName": "web"})
    add("iam", "UntagInstanceProfile", lambda r: {"InstanceProfileName": "web", "TagKeys": ["team"]})
    add("iam", "GetSAMLProvider", lambda r: {"SAMLProviderArn": r["CreateSAMLProvider"]["SAMLProviderArn"]})
    add("iam", "UpdateSAMLProvider", lambda r: {"SAMLMetadataDocument": SAML_METADATA,
                                                "SAMLProviderArn": r["CreateSAMLProvider"]["SAMLProviderArn"]})
    add("iam", "ListSAMLProviders")
    add("iam", "DeleteSAMLProvider", lambda r: {"SAMLProviderArn": r["CreateSAMLProvider"]["SAMLProviderArn"]})
    add("iam", "ListInstanceProfiles", lambda r: {"PathPrefix": "/e2e/"})
    add("iam", "ListInstanceProfilesForRole", lambda r: {"RoleName": "ec2"})
    add("iam", "RemoveRoleFromInstanceProfile", lambda r: {"InstanceProfileName": "web", "RoleName": "ec2"})
    add("iam", "DeleteInstanceProfile", lambda r: {"InstanceProfileName": "web"})
    add("iam", "GetAccountSummary")
    add("iam", "GetAccountAuthorizationDetails")
    add("iam", "DetachGroupPolicy", lambda r: {"GroupName": "devs", "PolicyArn": PARN})
    add("iam", "DetachUserPolicy", lambda r: {"UserName": "dev1",
                                              "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
    add("iam", "RemoveUserFromGroup", lambda r: {"GroupName": "devs", "UserName": "dev1"})
    add("iam", "DeleteGroup", lambda r: {"GroupName": "devs"})
    add("iam", "DeletePolicy", lambda r: {"PolicyArn": PARN})
    add("iam", "DeleteUser", lambda r: {"UserName": "dev1"})
    # (end of the IAM breadth block)
    # --- Connect --------------------------------------------------------------------------------
    add("connect", "CreateInstance", lambda r: minimal("connect", "CreateInstance", InstanceAlias="cc-e2e",
                                                       IdentityManagementType="CONNECT_MANAGED",
                                                       InboundCallsEnabled=True, OutboundCallsEnabled=False))
    add("connect", "DescribeInstance", lambda r: {"InstanceId": r["CreateInstance"]["Id"]})
    add("connect", "ListInstances")
    add("connect", "TagResource", lambda r: {"resourceArn": r["CreateInstance"]["Arn"], "tags": {"a": "1", "b": "2"}})
    add("connect", "UntagResource", lambda r: {"resourceArn": r["CreateInstance"]["Arn"], "tagKeys": ["a"]})
    add("connect", "ListTagsForResource", lambda r: {"resourceArn": r["CreateInstance"]["Arn"]})
    # --- Customer Profiles ----------------------------------------------------------------------
    D = "e2e-domain"
    add("customer-profiles", "CreateDomain", lambda r: minimal("customer-profiles", "CreateDomain", DomainName=D,
                                                               DefaultExpirationDays=30, Tags={"t": "1"}))
    add("customer-profiles", "GetDomain", lambda r: {"DomainName": D})
    add("customer-profiles", "ListDomains")
    add("customer-profiles", "UpdateDomain", lambda r: {"DomainName": D, "DefaultExpirationDays": 60})
    add("customer-profiles", "ListProfileObjectTypeTemplates")
    add("customer-profiles", "GetProfileObjectTypeTemplate", lambda r: {"TemplateId": "Salesforce-Account"})
    add("customer-profiles", "PutProfileObjectType", lambda r: minimal(
        "customer-profiles", "PutProfileObjectType", DomainName=D, ObjectTypeName="CTR", Description="calls",
        AllowProfileCreation=True,
        Fields={"phone": {"Source": "_source.phone", "Target": "_profile.PhoneNumber", "ContentType": "PHONE_NUMBER"}},
        Keys={"_phone": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["phone"]}]}))
    add("customer-profiles", "GetProfileObjectType", lambda r: {"DomainName": D, "ObjectTypeName": "CTR"})
    add("customer-profiles", "ListProfileObjectTypes", lambda r: {"DomainName": D})
    add("customer-profiles", "PutIntegration", lambda r: minimal(
        "customer-profiles", "PutIntegration", DomainName=D, Uri=r["CreateInstance"]["Arn"], ObjectTypeName="CTR"))
    add("customer-profiles", "GetIntegration", lambda r: {"DomainName": D, "Uri": r["CreateInstance"]["Arn"]})
    add("customer-profiles", "ListIntegrations", lambda r: {"DomainName": D})
    add("customer-profiles", "ListAccountIntegrations", lambda r: {"Uri": r["CreateInstance"]["Arn"]})
    add("customer-profiles", "ListWorkflows", lambda r: {"DomainName": D})
    add("customer-profiles", "CreateProfile", lambda r: minimal(
        "customer-profiles", "CreateProfile", DomainName=D, FirstName="Ana", PhoneNumber="+15550100",
        Attributes={"tier": "gold"}))
    add("customer-profiles", "UpdateProfile", lambda r: minimal(
        "customer-profiles", "UpdateProfile", DomainName=D, ProfileId=r["CreateProfile"]["ProfileId"],
        LastName="Lee"))
    add("customer-profiles", "SearchProfiles", lambda r: minimal(
        "customer-profiles", "SearchProfiles", DomainName=D, KeyName="_profileId",
        Values=[r["CreateProfile"]["ProfileId"]]))
    add("customer-profiles", "ListProfileAttributeValues", lambda r: minimal(
        "customer-profiles", "ListProfileAttributeValues", DomainName=D, AttributeName="FirstName"))
    add("customer-profiles", "PutProfileObject", lambda r: minimal(
        "customer-profiles", "PutProfileObject", DomainName=D, ObjectTypeName="CTR",
        Object=json.dumps({"phone": "+15550199"})))
    add("customer-profiles", "ListProfileObjects", lambda r: minimal(
        "customer-profiles", "ListProfileObjects", DomainName=D, ObjectTypeName="CTR",
        ProfileId=r["CreateProfile"]["ProfileId"]))
    add("customer-profiles", "CreateEventStream", lambda r: minimal(
        "customer-profiles", "CreateEventStream", DomainName=D, EventStreamName="es1",
        Uri=f"arn:aws:kinesis:{REGION}:{ACCT}:stream/profiles"))
    add("customer-profiles", "GetEventStream", lambda r: {"DomainName": D, "EventStreamName": "es1"})
    add("customer-profiles", "ListEventStreams", lambda r: {"DomainName": D})
    add("customer-profiles", "DeleteEventStream", lambda r: {"DomainName": D, "EventStreamName": "es1"})
    add("customer-profiles", "CreateCalculatedAttributeDefinition", lambda r: minimal(
        "customer-profiles", "CreateCalculatedAttributeDefinition", DomainName=D, CalculatedAttributeName="total",
        AttributeDetails={"Attributes": [{"Name": "amount"}], "Expression": "{CTR.amount}"}, Statistic="SUM"))
    add("customer-profiles", "GetCalculatedAttributeDefinition",
        lambda r: {"DomainName": D, "CalculatedAttributeName": "total"})
    add("customer-profiles", "ListCalculatedAttributeDefinitions", lambda r: {"DomainName": D})
    add("customer-profiles", "UpdateCalculatedAttributeDefinition",
        lambda r: {"DomainName": D, "CalculatedAttributeName": "total", "Description": "sum"})
    add("customer-profiles", "DeleteCalculatedAttributeDefinition",
        lambda r: {"DomainName": D, "CalculatedAttributeName": "total"})
    add("customer-profiles", "TagResource", lambda r: {
        "resourceArn": f"arn:aws:profile:{REGION}:{ACCT}:domains/{D}", "tags": {"owner": "ops"}})
    add("customer-profiles", "UntagResource", lambda r: {
        "resourceArn": f"arn:aws:profile:{REGION}:{ACCT}:domains/{D}", "tagKeys": ["t"]})
    add("customer-profiles", "ListTagsForResource", lambda r: {
        "resourceArn": f"arn:aws:profile:{REGION}:{ACCT}:domains/{D}"})
    # Domain configuration kinds: layouts, domain object types, segments, event triggers,
    # workflows and upload jobs (asynchronous jobs finish at once: profile_job_ms=0).
    ARN = f"arn:aws:profile:{REGION}:{ACCT}:domains/{D}"
    add("customer-profiles", "CreateDomainLayout", lambda r: minimal(
        "customer-profiles", "CreateDomainLayout", DomainName=D, LayoutDefinitionName="main",
        Description="main view", DisplayName="Main", LayoutType="PROFILE_EXPLORER",
        Layout=json.dumps({"sections": []}), IsDefault=True, Tags={"l": "1"}))
    add("customer-profiles", "GetDomainLayout", lambda r: {"DomainName": D, "LayoutDefinitionName": "main"})
    add("customer-profiles", "UpdateDomainLayout", lambda r: {"DomainName": D, "LayoutDefinitionName": "main",
                                                              "DisplayName": "Main view"})
    add("customer-profiles", "ListDomainLayouts", lambda r: {"DomainName": D, "MaxResults": 10})
    add("customer-profiles", "PutDomainObjectType", lambda r: minimal(
        "customer-profiles", "PutDomainObjectType", DomainName=D, ObjectTypeName="Acct", Description="accounts",
        Fields={"id": {"Source": "_source.id", "Target": "_domainObject.id", "ContentType": "STRING"}}))
    add("customer-profiles", "GetDomainObjectType", lambda r: {"DomainName": D, "ObjectTypeName": "Acct"})
    add("customer-profiles", "ListDomainObjectTypes", lambda r: {"DomainName": D})
    SEGMENT_GROUPS = {"Include": "ALL", "Groups": [{"Type": "ALL", "Dimensions": [
        {"ProfileAttributes": {"Attributes": {"tier": {"DimensionType": "INCLUSIVE", "Values": ["gold"]}}}}]}]}
    add("customer-profiles", "CreateSegmentDefinition", lambda r: minimal(
        "customer-profiles", "CreateSegmentDefinition", DomainName=D, SegmentDefinitionName="gold",
        DisplayName="Gold", SegmentGroups=SEGMENT_GROUPS, Tags={"s": "1"}))
    add("customer-profiles", "GetSegmentDefinition", lambda r: {"DomainName": D, "SegmentDefinitionName": "gold"})
    add("customer-profiles", "ListSegmentDefinitions", lambda r: {"DomainName": D, "MaxResults": 500})
    add("customer-profiles", "GetSegmentMembership", lambda r: {
        "DomainName": D, "SegmentDefinitionName": "gold",
        "ProfileIds": [r["CreateProfile"]["ProfileId"], "0123456789abcdef0123456789abcdef"]})
    add("customer-profiles", "CreateSegmentEstimate", lambda r: {"DomainName": D, "SegmentQuery": SEGMENT_GROUPS})
    add("customer-profiles", "GetSegmentEstimate", lambda r: {"DomainName": D,
                                                              "EstimateId": r["CreateSegmentEstimate"]["EstimateId"]})
    add("customer-profiles", "CreateSegmentSnapshot", lambda r: {"DomainName": D, "SegmentDefinitionName": "gold",
                                                                 "DataFormat": "JSONL"})
    add("customer-profiles", "GetSegmentSnapshot", lambda r: {
        "DomainName": D, "SegmentDefinitionName": "gold", "SnapshotId": r["CreateSegmentSnapshot"]["SnapshotId"]})
    add("customer-profiles", "CreateEventTrigger", lambda r: minimal(
        "customer-profiles", "CreateEventTrigger", DomainName=D, EventTriggerName="big-call", ObjectTypeName="CTR",
        SegmentFilter="gold", Description="long calls",
        EventTriggerConditions=[{"LogicalOperator": "ANY", "EventTriggerDimensions": [{"ObjectAttributes": [
            {"FieldName": "duration", "ComparisonOperator": "GREATER_THAN", "Values": ["600"]}]}]}],
        EventTriggerLimits={"EventExpiration": 60, "Periods": [{"Unit": "DAYS", "Value": 1,
                                                                "MaxInvocationsPerProfile": 2}]}))
    add("customer-profiles", "GetEventTrigger", lambda r: {"DomainName": D, "EventTriggerName": "big-call"})
    add("customer-profiles", "UpdateEventTrigger", lambda r: {"DomainName": D, "EventTriggerName": "big-call",
                                                              "Description": "very long calls"})
    add("customer-profiles", "ListEventTriggers", lambda r: {"DomainName": D})
    add("customer-profiles", "TagResource", lambda r: {"resourceArn": ARN + "/event-triggers/big-call",
                                                       "tags": {"owner": "ops"}})
    add("customer-profiles", "ListTagsForResource", lambda r: {"resourceArn": ARN + "/segment-definitions/gold"})
    add("customer-profiles", "CreateIntegrationWorkflow", lambda r: {
        "DomainName": D, "WorkflowType": "APPFLOW_INTEGRATION", "ObjectTypeName": "CTR",
        "RoleArn": f"arn:aws:iam::{ACCT}:role/appflow",
        "IntegrationConfig": {"AppflowIntegration": {"FlowDefinition": {
            "FlowName": "sf-contacts", "KmsArn": f"arn:aws:kms:{REGION}:{ACCT}:key/k1",
            "SourceFlowConfig": {"ConnectorType": "Salesforce", "ConnectorProfileName": "sf",
                                 "SourceConnectorProperties": {"Salesforce": {"Object": "Contact"}}},
            "Tasks": [{"SourceFields": ["Id"], "TaskType": "Map", "DestinationField": "Id"}],
            "TriggerConfig": {"TriggerType": "OnDemand"}},
            "Batches": [{"StartTime": "2026-11-01T00:00:00Z", "EndTime": "2026-11-02T00:00:00Z"}]}}})
    add("customer-profiles", "GetWorkflow", lambda r: {"DomainName": D,
                                                       "WorkflowId": r["CreateIntegrationWorkflow"]["WorkflowId"]})
    add("customer-profiles", "GetWorkflowSteps", lambda r: {
        "DomainName": D, "WorkflowId": r["CreateIntegrationWorkflow"]["WorkflowId"]})
    add("customer-profiles", "ListWorkflows", lambda r: {"DomainName": D, "Status": "COMPLETE"})
    add("customer-profiles", "CreateUploadJob", lambda r: minimal(
        "customer-profiles", "CreateUploadJob", DomainName=D, DisplayName="import", UniqueKey="email",
        DataExpiry=7, Fields={"email": {"Source": "_source.email", "Target": "_profile.EmailAddress",
                                        "ContentType": "EMAIL_ADDRESS"}}))
    add("customer-profiles", "GetUploadJobPath", lambda r: {"DomainName": D, "JobId": r["CreateUploadJob"]["JobId"]})
    add("customer-profiles", "StartUploadJob", lambda r: {"DomainName": D, "JobId": r["CreateUploadJob"]["JobId"]})
    add("customer-profiles", "GetUploadJob", lambda r: {"DomainName": D, "JobId": r["CreateUploadJob"]["JobId"]})
    add("customer-profiles", "CreateUploadJob", lambda r: minimal(
        "customer-profiles", "CreateUploadJob", DomainName=D, DisplayName="second", UniqueKey="id",
        Fields={"id": {"Source": "_source.id", "Target": "_profile.AccountNumber"}}))
    add("customer-profiles", "StopUploadJob", lambda r: {"DomainName": D, "JobId": r["CreateUploadJob"]["JobId"]})
    add("customer-profiles", "ListUploadJobs", lambda r: {"DomainName": D, "MaxResults": 500})
    add("customer-profiles", "DeleteWorkflow", lambda r: {"DomainName": D,
                                                          "WorkflowId": r["CreateIntegrationWorkflow"]["WorkflowId"]})
    add("customer-profiles", "DeleteEventTrigger", lambda r: {"DomainName": D, "EventTriggerName": "big-call"})
    add("customer-profiles", "DeleteSegmentDefinition", lambda r: {"DomainName": D, "SegmentDefinitionName": "gold"})
    add("customer-profiles", "DeleteDomainObjectType", lambda r: {"DomainName": D, "ObjectTypeName": "Acct"})
    add("customer-profiles", "DeleteDomainLayout", lambda r: {"DomainName": D, "LayoutDefinitionName": "main"})
    add("customer-profiles", "DeleteProfile", lambda r: {"DomainName": D, "ProfileId": r["CreateProfile"]["ProfileId"]})
    add("customer-profiles", "DeleteIntegration", lambda r: {"DomainName": D, "Uri": r["CreateInstance"]["Arn"]})
    add("customer-profiles", "DeleteProfileObjectType", lambda r: {"DomainName": D, "ObjectTypeName": "CTR"})
    add("customer-profiles", "DeleteDomain", lambda r: {"DomainName": D})
    add("connect", "DeleteInstance", lambda r: {"InstanceId": r["CreateInstance"]["Id"]})
    # --- Customer Profiles: keys, merges, history, calculated values, analytics, identity ------
    # --- resolution and recommenders (a domain of its own; aliases kept in the side's results) --
    D2 = "e2e-computed"
    CP = "customer-profiles"

    def keep(r, alias, value):
        r[alias] = value
        return r

    def obj(**fields):
        return json.dumps(fields)

    add(CP, "CreateDomain", lambda r: minimal(CP, "CreateDomain", DomainName=D2, DefaultExpirationDays=30,
                                              Matching={"Enabled": True},
                                              RuleBasedMatching={"Enabled": True, "MatchingRules": [
                                                  {"Rule": ["EmailAddress"]}]}))
    add(CP, "PutProfileObjectType", lambda r: minimal(
        CP, "PutProfileObjectType", DomainName=D2, ObjectTypeName="Order", Description="orders",
        Fields={"amount": {"Source": "_source.amount", "ContentType": "NUMBER"}},
        Keys={"_custId": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["cust"]}],
              "_orderId": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["order"]}]}))
    add(CP, "PutProfileObject", lambda r: minimal(CP, "PutProfileObject", DomainName=D2, ObjectTypeName="Order",
                                                  Object=obj(cust="c1", order="o1", item="apple", amount=5)))
    add(CP, "PutProfileObject", lambda r: minimal(CP, "PutProfileObject", DomainName=D2, ObjectTypeName="Order",
                                                  Object=obj(cust="c1", order="o2", item="pear", amount=7)))
    add(CP, "PutProfileObject", lambda r: minimal(CP, "PutProfileObject", DomainName=D2, ObjectTypeName="Order",
                                                  Object=obj(cust="c2", order="o3", item="fig", amount=1)))
    add(CP, "SearchProfiles", lambda r: {"DomainName": D2, "KeyName": "_custId", "Values": ["c1"]})
    add(CP, "CreateProfile", lambda r: keep(r, "pC", r["SearchProfiles"]["Items"][0]["ProfileId"]) and minimal(
        CP, "CreateProfile", DomainName=D2, FirstName="Ana", EmailAddress="ana@example.com"))
    add(CP, "CreateProfile", lambda r: keep(r, "pA", r["CreateProfile"]["ProfileId"]) and minimal(
        CP, "CreateProfile", DomainName=D2, LastName="Lee", EmailAddress="ANA@example.com"))
    add(CP, "AddProfileKey", lambda r: keep(r, "pB", r["CreateProfile"]["ProfileId"]) and {
        "DomainName": D2, "ProfileId": r["pB"], "KeyName": "loyalty", "Values": ["L1"]})
    add(CP, "BatchGetProfile", lambda r: {"DomainName": D2, "ProfileIds": [r["pA"], r["pB"]]})
    add(CP, "GetMatches", lambda r: {"DomainName": D2})
    add(CP, "ListRuleBasedMatches", lambda r: {"DomainName": D2})
    add(CP, "GetSimilarProfiles", lambda r: {"DomainName": D2, "MatchType": "ML_BASED_MATCHING",
                                             "SearchKey": "_email", "SearchValue": "ana@example.com"})
    add(CP, "GetAutoMergingPreview", lambda r: {
        "DomainName": D2, "ConflictResolution": {"ConflictResolvingModel": "RECENCY"},
        "Consolidation": {"MatchingAttributesList": [["EmailAddress"]]}})
    add(CP, "ListIdentityResolutionJobs", lambda r: {"DomainName": D2})
    add(CP, "GetIdentityResolutionJob", lambda r: {
        "DomainName": D2, "JobId": r["ListIdentityResolutionJobs"]["IdentityResolutionJobsList"][0]["JobId"]})
    add(CP, "DetectProfileObjectType", lambda r: {"DomainName": D2, "Objects": [
        obj(id="u1", email="a@example.com", phone="+1 555 0100", firstName="Ana"),
        obj(id="u2", email="b@example.com", phone="+1 555 0101", firstName="Bo")]})
    add(CP, "ListObjectTypeAttributes", lambda r: {"DomainName": D2, "ObjectTypeName": "Order"})
    add(CP, "ListObjectTypeAttributeValues", lambda r: {"DomainName": D2, "ObjectTypeName": "Order",
                                                        "AttributeName": "item"})
    add(CP, "GetObjectTypeAttributeStatistics", lambda r: {"DomainName": D2, "ObjectTypeName": "Order",
                                                           "AttributeName": "amount"})
    add(CP, "CreateCalculatedAttributeDefinition", lambda r: minimal(
        CP, "CreateCalculatedAttributeDefinition", DomainName=D2, CalculatedAttributeName="spend",
        AttributeDetails={"Attributes": [{"Name": "amount"}], "Expression": "{Order.amount}"}, Statistic="SUM"))
    add(CP, "GetCalculatedAttributeForProfile", lambda r: {
        "DomainName": D2, "ProfileId": r["pC"], "CalculatedAttributeName": "spend"})
    add(CP, "BatchGetCalculatedAttributeForProfile", lambda r: {
        "DomainName": D2, "CalculatedAttributeName": "spend", "ProfileIds": [r["pC"], r["pA"]]})
    add(CP, "ListCalculatedAttributesForProfile", lambda r: {"DomainName": D2, "ProfileId": r["pC"]})
    add(CP, "ListRecommenderRecipes")
    add(CP, "CreateRecommenderSchema", lambda r: {
        "DomainName": D2, "RecommenderSchemaName": "s1",
        "Fields": {"item": [{"TargetFieldName": "ItemId", "ContentType": "STRING"}]}})
    add(CP, "GetRecommenderSchema", lambda r: {"DomainName": D2, "RecommenderSchemaName": "s1"})
    add(CP, "ListRecommenderSchemas", lambda r: {"DomainName": D2})
    add(CP, "CreateRecommenderFilter", lambda r: {
        "DomainName": D2, "RecommenderFilterName": "f1", "RecommenderSchemaName": "s1",
        "RecommenderFilterExpression": 'EXCLUDE ItemID WHERE Items.item IN ("plum")', "Tags": {"t": "1"}})
    add(CP, "GetRecommenderFilter", lambda r: {"DomainName": D2, "RecommenderFilterName": "f1"})
    add(CP, "ListRecommenderFilters", lambda r: {"DomainName": D2})
    add(CP, "CreateRecommender", lambda r: {"DomainName": D2, "RecommenderName": "rec",
                                            "RecommenderRecipeName": "recommended-for-you",
                                            "RecommenderSchemaName": "s1"})
    add(CP, "GetRecommender", lambda r: {"DomainName": D2, "RecommenderName": "rec"})
    add(CP, "ListRecommenders", lambda r: {"DomainName": D2})
    add(CP, "UpdateRecommender", lambda r: {"DomainName": D2, "RecommenderName": "rec",
                                            "RecommenderConfig": {"TrainingFrequency": 7}})
    add(CP, "GetProfileRecommendations", lambda r: {
        "DomainName": D2, "ProfileId": r["pC"], "RecommenderName": "rec",
        "RecommenderFilters": [{"Name": "f1", "Values": {}}]})
    add(CP, "StopRecommender", lambda r: {"DomainName": D2, "RecommenderName": "rec"})
    add(CP, "StartRecommender", lambda r: {"DomainName": D2, "RecommenderName": "rec"})
    add(CP, "DeleteRecommenderFilter", lambda r: {"DomainName": D2, "RecommenderFilterName": "f1"})
    add(CP, "DeleteRecommender", lambda r: {"DomainName": D2, "RecommenderName": "rec"})
    add(CP, "DeleteRecommenderSchema", lambda r: {"DomainName": D2, "RecommenderSchemaName": "s1"})
    add(CP, "MergeProfiles", lambda r: {"DomainName": D2, "MainProfileId": r["pA"],
                                        "ProfileIdsToBeMerged": [r["pB"]],
                                        "FieldSourceProfileIds": {"LastName": r["pB"]}})
    add(CP, "ListProfileHistoryRecords", lambda r: {"DomainName": D2, "ProfileId": r["pA"]})
    add(CP, "GetProfileHistoryRecord", lambda r: {
        "DomainName": D2, "ProfileId": r["pA"],
        "Id": r["ListProfileHistoryRecords"]["ProfileHistoryRecords"][0]["Id"]})
    add(CP, "DeleteProfileKey", lambda r: {"DomainName": D2, "ProfileId": r["pA"], "KeyName": "loyalty",
                                           "Values": ["L1"]})
    add(CP, "DeleteProfileObject", lambda r: {"DomainName": D2, "ProfileId": r["pC"], "ObjectTypeName": "Order",
                                              "ProfileObjectUniqueKey": "o1"})
    add(CP, "DeleteDomain", lambda r: {"DomainName": D2})
    # --- end of the computed Customer Profiles block --------------------------------------------
    # --- Organizations --------------------------------------------------------------------------
    add("organizations", "CreateOrganization", lambda r: {"FeatureSet": "ALL"})
    add("organizations", "DescribeOrganization")
    add("organizations", "ListRoots")
    add("organizations", "CreateAccount", lambda r: minimal("organizations", "CreateAccount",
                                                            Email="dev@example.com", AccountName="dev"))
    add("organizations", "DescribeCreateAccountStatus",
        lambda r: {"CreateAccountRequestId": r["CreateAccount"]["CreateAccountStatus"]["Id"]})
    add("organizations", "ListAccounts")
    add("organizations", "CreateOrganizationalUnit", lambda r: minimal(
        "organizations", "CreateOrganizationalUnit", ParentId=r["ListRoots"]["Roots"][0]["Id"], Name="apps"))
    add("organizations", "ListOrganizationalUnitsForParent",
        lambda r: {"ParentId": r["ListRoots"]["Roots"][0]["Id"]})
    add("organizations", "CreatePolicy", lambda r: minimal(
        "organizations", "CreatePolicy", Name="deny-nothing", Description="d", Type="SERVICE_CONTROL_POLICY",
        Content=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})))
    # A new organization has no policy type enabled in its root (as on AWS).
    add("organizations", "EnablePolicyType", lambda r: {"RootId": r["ListRoots"]["Roots"][0]["Id"],
                                                        "PolicyType": "SERVICE_CONTROL_POLICY"})
    add("organizations", "AttachPolicy", lambda r: {
        "PolicyId": r["CreatePolicy"]["Policy"]["PolicySummary"]["Id"],
        "TargetId": r["CreateOrganizationalUnit"]["OrganizationalUnit"]["Id"]})
    add("organizations", "ListPoliciesForTarget", lambda r: {
        "TargetId": r["CreateOrganizationalUnit"]["OrganizationalUnit"]["Id"], "Filter": "SERVICE_CONTROL_POLICY"})
    # --- Organizations: policy types, policies, tags, create-account statuses -------------------
    ROOT = lambda r: r["ListRoots"]["Roots"][0]["Id"]  # noqa: E731
    PID = lambda r: r["CreatePolicy"]["Policy"]["PolicySummary"]["Id"]  # noqa: E731
    OU = lambda r: r["CreateOrganizationalUnit"]["OrganizationalUnit"]["Id"]  # noqa: E731
    add("organizations", "EnablePolicyType", lambda r: {"RootId": ROOT(r), "PolicyType": "TAG_POLICY"})
    add("organizations", "DisablePolicyType", lambda r: {"RootId": ROOT(r), "PolicyType": "TAG_POLICY"})
    add("organizations", "DescribePolicy", lambda r: {"PolicyId": PID(r)})
    add("organizations", "UpdatePolicy", lambda r: {"PolicyId": PID(r), "Description": "d2"})
    add("organizations", "ListPolicies", lambda r: {"Filter": "SERVICE_CONTROL_POLICY"})
    add("organizations", "ListTargetsForPolicy", lambda r: {"PolicyId": "p-FullAWSAccess"})
    add("organizations", "TagResource", lambda r: {"ResourceId": OU(r), "Tags": [{"Key": "team", "Value": "a"},
                                                                                 {"Key": "env", "Value": "b"}]})
    add("organizations", "UntagResource", lambda r: {"ResourceId": OU(r), "TagKeys": ["env"]})
    add("organizations", "ListTagsForResource", lambda r: {"ResourceId": OU(r)})
    add("organizations", "DetachPolicy", lambda r: {"PolicyId": PID(r), "TargetId": OU(r)})
    add("organizations", "DeletePolicy", lambda r: {"PolicyId": PID(r)})
    add("organizations", "CreateAccount", lambda r: {"Email": "dev@example.com", "AccountName": "dev2"})
    add("organizations", "ListCreateAccountStatus", lambda r: {"States": ["IN_PROGRESS", "FAILED"]})
    # --- Organizations: OUs, accounts, trusted access, delegated administrators -----------------
    MEMBER = lambda r: r["ListAccounts"]["Accounts"][-1]["Id"]  # noqa: E731
    add("organizations", "DescribeOrganizationalUnit", lambda r: {"OrganizationalUnitId": OU(r)})
    add("organizations", "UpdateOrganizationalUnit", lambda r: {"OrganizationalUnitId": OU(r), "Name": "apps2"})
    add("organizations", "ListParents", lambda r: {"ChildId": OU(r)})
    add("organizations", "ListChildren", lambda r: {"ParentId": ROOT(r), "ChildType": "ORGANIZATIONAL_UNIT"})
    add("organizations", "ListAccounts")
    add("organizations", "DescribeAccount", lambda r: {"AccountId": MEMBER(r)})
    add("organizations", "MoveAccount", lambda r: {"AccountId": MEMBER(r), "SourceParentId": ROOT(r),
                                                   "DestinationParentId": OU(r)})
    add("organizations", "ListAccountsForParent", lambda r: {"ParentId": OU(r)})
    add("organizations", "EnableAWSServiceAccess", lambda r: {"ServicePrincipal": "config.amazonaws.com"})
    add("organizations", "ListAWSServiceAccessForOrganization")
    add("organizations", "DisableAWSServiceAccess", lambda r: {"ServicePrincipal": "config.amazonaws.com"})
    add("organizations", "RegisterDelegatedAdministrator", lambda r: {"AccountId": MEMBER(r),
                                                                      "ServicePrincipal": "ssm.amazonaws.com"})
    add("organizations", "ListDelegatedAdministrators")
    add("organizations", "ListDelegatedServicesForAccount", lambda r: {"AccountId": MEMBER(r)})
    add("organizations", "DeregisterDelegatedAdministrator", lambda r: {"AccountId": MEMBER(r),
                                                                        "ServicePrincipal": "ssm.amazonaws.com"})
    add("organizations", "EnablePolicyType", lambda r: {"RootId": ROOT(r), "PolicyType": "AISERVICES_OPT_OUT_POLICY"})
    add("organizations", "CreatePolicy", lambda r: {
        "Name": "ai-opt-out", "Description": "d", "Type": "AISERVICES_OPT_OUT_POLICY",
        "Content": json.dumps({"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}})})
    add("organizations", "AttachPolicy", lambda r: {"PolicyId": PID(r), "TargetId": ROOT(r)})
    add("organizations", "DescribeEffectivePolicy", lambda r: {"PolicyType": "AISERVICES_OPT_OUT_POLICY"})
    add("organizations", "CloseAccount", lambda r: {"AccountId": MEMBER(r)})
    add("organizations", "RemoveAccountFromOrganization", lambda r: {"AccountId": MEMBER(r)})
    add("organizations", "DeleteOrganizationalUnit", lambda r: {"OrganizationalUnitId": OU(r)})
    add("organizations", "DeleteOrganization")
    # --- end of Organizations policy types, policies, tags, statuses ----------------------------
    # --- CloudTrail -----------------------------------------------------------------------------
    add("cloudtrail", "CreateTrail", lambda r: minimal("cloudtrail", "CreateTrail", Name="trail-1", S3BucketName="cpw-trail-bucket"))
    add("cloudtrail", "DescribeTrails")
    add("cloudtrail", "StartLogging", lambda r: {"Name": "trail-1"})
    add("cloudtrail", "GetTrailStatus", lambda r: {"Name": "trail-1"})
    add("cloudtrail", "StopLogging", lambda r: {"Name": "trail-1"})
    add("cloudtrail", "GetEventSelectors", lambda r: {"TrailName": "trail-1"})
    add("cloudtrail", "PutEventSelectors", lambda r: {"TrailName": "trail-1", "EventSelectors": [
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}]})
    add("cloudtrail", "DeleteTrail", lambda r: {"Name": "trail-1"})
    add("cloudtrail", "LookupEvents", lambda r: {"LookupAttributes": [
        {"AttributeKey": "EventName", "AttributeValue": "CreateRole"}]})
    return S


def run(side, plan):
    results, outputs = {}, []
    for service, operation, params, _ in plan:
        try:
            doc = params(results)
        except (KeyError, IndexError, TypeError) as e:  # an earlier step failed
            outputs.append({"__error__": f"input not available: {e!r}"})
            continue
        out = side.call(service, operation, doc)
        results[operation] = out
        outputs.append(out)
    return outputs


def main():
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(var, None)
    os.environ.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                       "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
                       "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET})
    plan = steps()
    called = {(s, o) for s, o, _, _ in plan}
    missing = emulated_operations() - called
    check("every emulated operation has a step", not missing, sorted(missing))
    with tempfile.TemporaryDirectory() as tmp:
        install_models(tmp)
        procs = []
        try:
            proc_a, url_a = start_sandbox(tmp, "a")
            procs.append(proc_a)
            proc_b, url_b = start_sandbox(tmp, "b")
            procs.append(proc_b)
            cpw = run(CpwardenSide(url_a), plan)
            ref = run(Boto3Side(url_b), plan)
        finally:
            for p in procs:
                p.terminate()
                p.wait(timeout=10)
    for (service, operation, _, _), mine, theirs in zip(plan, cpw, ref):
        name = f"{service} {operation}"
        check(f"{name}: boto3 succeeds", "__error__" not in theirs, theirs.get("__error__", ""))
        check(f"{name}: cpwarden succeeds", "__error__" not in mine, mine.get("__error__", ""))
        if "__error__" in mine or "__error__" in theirs:
            continue
        a, b = normalize(mine), normalize(theirs)
        check(f"{name}: same output", a == b,
              "\n  cpwarden: " + json.dumps(a, sort_keys=True)[:1500] +
              "\n  boto3:    " + json.dumps(b, sort_keys=True)[:1500])
    print(f"{PASSED} passed, {FAILED} failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
