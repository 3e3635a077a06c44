"""IAM identities in the sandbox through Debian's boto3: UpdateUser carrying a user's keys, tags
and groups to the new name, IAM's default password policy, SSH public keys (accepted and refused
encodings, paging), MFA devices, the credential report's CSV, GetUser for the root user and the
DeleteUser conflicts of MFA devices and SSH keys.

Run by CTest with /usr/bin/python3. Exit 77 (skipped) when boto3 is not importable."""
import base64
import csv
import os
import struct
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
ROOT_KEY = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
FAILED = []


def check(name, cond):
    if not cond:
        FAILED.append(name)
        print("FAILED:", name)


def error_code(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None


def client(endpoint, key=ROOT_KEY, secret=ROOT_SECRET):
    return boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def ssh_rsa(bits, seed):
    """An ssh-rsa public key line whose modulus has exactly `bits` bits."""
    def field(b):
        return struct.pack(">I", len(b)) + b
    body = bytes((seed * 7 + i) % 256 for i in range(bits // 8))
    modulus = b"\x00" + bytes([body[0] | 0x80]) + body[1:]
    blob = field(b"ssh-rsa") + field(b"\x01\x00\x01") + field(modulus)
    return "ssh-rsa " + base64.b64encode(blob).decode() + " test@example"


def users_and_passwords(iam):
    iam.create_user(UserName="ann", Tags=[{"Key": "team", "Value": "blue"}])
    # IAM's default policy: 8+ characters mixing three of upper, lower, digits, symbols
    check("default policy refuses two kinds",
          error_code(iam.create_login_profile, UserName="ann",
                     Password="password") == "PasswordPolicyViolation")
    check("default policy refuses short",
          error_code(iam.create_login_profile, UserName="ann",
                     Password="Ab1!") == "PasswordPolicyViolation")
    iam.create_login_profile(UserName="ann", Password="Passw0rd")
    key = iam.create_access_key(UserName="ann")["AccessKey"]
    iam.create_group(GroupName="g1")
    iam.add_user_to_group(GroupName="g1", UserName="ann")
    iam.update_user(UserName="ann", NewUserName="bob", NewPath="/ops/")
    user = iam.get_user(UserName="bob")["User"]
    check("renamed path", user["Path"] == "/ops/")
    check("renamed arn", user["Arn"].endswith(":user/ops/bob"))
    check("tags follow", user.get("Tags") == [{"Key": "team", "Value": "blue"}])
    check("old name gone", error_code(iam.get_user, UserName="ann") == "NoSuchEntity")
    keys = iam.list_access_keys(UserName="bob")["AccessKeyMetadata"]
    check("key follows", [k["AccessKeyId"] for k in keys] == [key["AccessKeyId"]])
    groups = iam.list_groups_for_user(UserName="bob")["Groups"]
    check("group follows", [g["GroupName"] for g in groups] == ["g1"])
    check("login follows", iam.get_login_profile(UserName="bob")["LoginProfile"]["UserName"] == "bob")
    iam.create_user(UserName="carl")
    check("rename onto taken",
          error_code(iam.update_user, UserName="bob", NewUserName="carl") == "EntityAlreadyExists")
    iam.update_group(GroupName="g1", NewGroupName="g2")
    members = iam.get_group(GroupName="g2")["Users"]
    check("group rename keeps members", [u["UserName"] for u in members] == ["bob"])
    # the renamed user's key still signs, as the user under its new ARN
    me = client(iam.meta.endpoint_url, key["AccessKeyId"], key["SecretAccessKey"])
    try:
        me.get_user()
        check("renamed key denied without policy", False)
    except botocore.exceptions.ClientError as e:
        check("renamed key signs as new arn", ":user/ops/bob" in e.response["Error"]["Message"])
    key2 = iam.create_access_key(UserName="bob")["AccessKey"]
    page = iam.list_access_keys(UserName="bob", MaxItems=1)
    rest = iam.list_access_keys(UserName="bob", Marker=page["Marker"])
    check("access key paging", page["IsTruncated"] and not rest["IsTruncated"]
          and [k["AccessKeyId"] for k in page["AccessKeyMetadata"] + rest["AccessKeyMetadata"]]
          == [key["AccessKeyId"], key2["AccessKeyId"]])
    iam.delete_access_key(UserName="bob", AccessKeyId=key2["AccessKeyId"])
    iam.tag_user(UserName="bob", Tags=[{"Key": "k%d" % i, "Value": "v"} for i in range(3)])
    page = iam.list_user_tags(UserName="bob", MaxItems=2)
    rest = iam.list_user_tags(UserName="bob", Marker=page["Marker"])
    check("tag paging", page["IsTruncated"] and not rest["IsTruncated"]
          and [t["Key"] for t in page["Tags"] + rest["Tags"]] == ["team", "k0", "k1", "k2"])
    root = iam.get_user()["User"]
    check("root user", root["Arn"].endswith(":root") and "UserName" not in root)


def ssh_keys(iam):
    check("short key refused",
          error_code(iam.upload_ssh_public_key, UserName="carl",
                     SSHPublicKeyBody=ssh_rsa(1024, 1)) == "InvalidPublicKey")
    check("certificate refused",
          error_code(iam.upload_ssh_public_key, UserName="carl",
                     SSHPublicKeyBody="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")
          == "UnrecognizedPublicKeyEncoding")
    ids = []
    for i in range(3):
        k = iam.upload_ssh_public_key(UserName="carl", SSHPublicKeyBody=ssh_rsa(2048, i))
        ids.append(k["SSHPublicKey"]["SSHPublicKeyId"])
        check("fingerprint", len(k["SSHPublicKey"]["Fingerprint"].split(":")) == 16)
    page = iam.list_ssh_public_keys(UserName="carl", MaxItems=2)
    rest = iam.list_ssh_public_keys(UserName="carl", Marker=page["Marker"])
    seen = [k["SSHPublicKeyId"] for k in page["SSHPublicKeys"] + rest["SSHPublicKeys"]]
    check("ssh paging", page["IsTruncated"] and not rest["IsTruncated"] and sorted(seen) == sorted(ids))
    check("user with keys not deleted",
          error_code(iam.delete_user, UserName="carl") == "DeleteConflict")
    for k in ids:
        iam.delete_ssh_public_key(UserName="carl", SSHPublicKeyId=k)
    iam.delete_user(UserName="carl")


def mfa_and_report(iam):
    iam.create_user(UserName="dee")
    serials = [iam.create_virtual_mfa_device(VirtualMFADeviceName="d%d" % i)
               ["VirtualMFADevice"]["SerialNumber"] for i in range(3)]
    check("codes are six digits",
          error_code(iam.enable_mfa_device, UserName="dee", SerialNumber=serials[0],
                     AuthenticationCode1="12345a", AuthenticationCode2="123456")
          is not None)
    for s in serials[:2]:
        iam.enable_mfa_device(UserName="dee", SerialNumber=s, AuthenticationCode1="123456",
                              AuthenticationCode2="654321")
    check("device in use",
          error_code(iam.enable_mfa_device, UserName="bob", SerialNumber=serials[0],
                     AuthenticationCode1="123456", AuthenticationCode2="654321")
          == "EntityAlreadyExists")
    page = iam.list_mfa_devices(UserName="dee", MaxItems=1)
    rest = iam.list_mfa_devices(UserName="dee", Marker=page["Marker"])
    check("mfa paging", [d["SerialNumber"] for d in page["MFADevices"] + rest["MFADevices"]]
          == serials[:2])
    check("delete assigned device",
          error_code(iam.delete_virtual_mfa_device, SerialNumber=serials[0]) == "DeleteConflict")
    summary = iam.get_account_summary()["SummaryMap"]
    check("summary mfa", summary["MFADevices"] == 3 and summary["MFADevicesInUse"] == 2)
    check("report absent", error_code(iam.get_credential_report) == "ReportNotPresent")
    check("report started", iam.generate_credential_report()["State"] == "STARTED")
    check("report complete", iam.generate_credential_report()["State"] == "COMPLETE")
    rows = list(csv.DictReader(iam.get_credential_report()["Content"].decode().splitlines()))
    by_user = {r["user"]: r for r in rows}
    check("report root first", rows[0]["user"] == "<root_account>"
          and rows[0]["access_key_1_active"] == "true")
    check("report users", sorted(by_user) == ["<root_account>", "bob", "dee"])
    check("report password", by_user["bob"]["password_enabled"] == "true"
          and by_user["dee"]["password_enabled"] == "false")
    check("report mfa", by_user["dee"]["mfa_active"] == "true"
          and by_user["bob"]["mfa_active"] == "false")
    check("report keys", by_user["bob"]["access_key_1_active"] == "true"
          and by_user["bob"]["access_key_2_active"] == "false")
    check("user with mfa not deleted",
          error_code(iam.delete_user, UserName="dee") == "DeleteConflict")


def main():
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(var, None)
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    with tempfile.TemporaryDirectory() as tmp:
        proc, endpoint = sandbox_lib.start_sandbox(CPWARDEN, os.path.join(tmp, "ready"), [])
        try:
            iam = client(endpoint)
            users_and_passwords(iam)
            ssh_keys(iam)
            mfa_and_report(iam)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    if FAILED:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
