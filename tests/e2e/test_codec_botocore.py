"""Real botocore reads the sandbox's replies as cpwarden's client does.

Runs the golden wire test binary with CPW_CODEC_SERVED_DIR set, so that it writes every reply the
sandbox side serialized (success replies for each golden output document, and error replies),
then parses each with botocore's own parsers over cpwarden's extracted models and compares the
result with the document (or error code and message) cpwarden's client read. Exits 77 (skipped)
when botocore or the test binary is missing.
"""
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile

try:
    import botocore.awsrequest
    import botocore.model
    import botocore.parsers
except ImportError:
    print('botocore is not installed: skipped')
    sys.exit(77)

SOURCE = os.environ.get('CPW_SOURCE_DIR', os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILD = os.environ.get('CPW_BUILD_DIR', os.path.join(SOURCE, 'build'))
BINARY = os.path.join(BUILD, 'vectors_test_codec_golden')


def to_document(value):
    if isinstance(value, dict):
        return {k: to_document(v) for k, v in value.items() if k != 'ResponseMetadata'}
    if isinstance(value, list):
        return [to_document(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return value


def main():
    if not os.path.exists(BINARY):
        print(f'{BINARY} is not built: skipped')
        return 77
    models = {}
    failures = 0
    checked = 0
    with tempfile.TemporaryDirectory() as served_dir:
        env = dict(os.environ, CPW_CODEC_SERVED_DIR=served_dir, CPW_SOURCE_DIR=SOURCE)
        subprocess.run([BINARY], env=env, check=True, stdout=subprocess.DEVNULL)
        names = sorted(os.listdir(served_dir))
        for name in names:
            with open(os.path.join(served_dir, name)) as f:
                case = json.load(f)
            service = case['service']
            if service not in models:
                with open(os.path.join(SOURCE, 'src', 'models', service + '.json')) as f:
                    models[service] = botocore.model.ServiceModel(json.load(f), service_name=service)
            model = models[service]
            op = model.operation_model(case['operation'])
            parser = botocore.parsers.create_parser(model.metadata['protocol'])
            parsed = parser.parse({'status_code': case['status'],
                                   'headers': botocore.awsrequest.HeadersDict(case['headers']),
                                   'body': case['body'].encode()}, op.output_shape)
            checked += 1
            if 'output' in case:
                got = to_document(parsed)
                if got != case['output']:
                    failures += 1
                    print(f'{name}: botocore read {json.dumps(got, sort_keys=True)}\n'
                          f'    want {json.dumps(case["output"], sort_keys=True)}')
                if parsed['ResponseMetadata'].get('RequestId') != 'rid-42':
                    failures += 1
                    print(f'{name}: request id {parsed["ResponseMetadata"].get("RequestId")}')
            else:
                err = parsed.get('Error', {})
                want = case['error']
                if err.get('Code') != want['code'] or err.get('Message') != want['message']:
                    failures += 1
                    print(f'{name}: botocore read {err}, want {want}')
    print(f'{checked} served replies checked with botocore {botocore.__version__}, '
          f'{failures} failures')
    if checked < 40:
        print('too few replies were served')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
