"""boto3 against an emulator with SME_AUTH=strict (test/integration/strict-auth.test.ts).

Usage: strict_auth_boto3.py ENDPOINT_NAME BUCKET. Credentials come from the
environment (right or wrong: the test runs it both ways). Each call's outcome is
{"ok": ...} or {"code", "status"}; one JSON document is printed.
"""

import json
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def outcome(fn):
    try:
        return {"ok": fn()}
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return {"status": r.status, "body": r.read().decode()}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "body": e.read().decode()}


def main():
    endpoint, bucket = sys.argv[1], sys.argv[2]
    s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    one = Config(retries={"max_attempts": 1})
    sm = boto3.client("sagemaker", config=one)
    runtime = boto3.client("sagemaker-runtime", config=one)
    cw = boto3.client("cloudwatch", config=one)
    aas = boto3.client("application-autoscaling", config=one)
    out = {
        "listModels": outcome(lambda: len(sm.list_models()["Models"]) >= 0),
        "invoke": outcome(lambda: json.loads(runtime.invoke_endpoint(EndpointName=endpoint, Body=b'{"x":1}', ContentType="application/json")["Body"].read())),
        "putObject": outcome(lambda: s3.put_object(Bucket=bucket, Key="boto3/a b+c.txt", Body=b"from boto3")["ResponseMetadata"]["HTTPStatusCode"]),
        "getObject": outcome(lambda: s3.get_object(Bucket=bucket, Key="boto3/a b+c.txt")["Body"].read().decode()),
        "listMetrics": outcome(lambda: len(cw.list_metrics(Namespace="AWS/SageMaker")["Metrics"]) >= 0),
        "scalableTargets": outcome(lambda: len(aas.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]) >= 0),
    }
    # boto3 presigns S3 URLs with SigV2 at a custom endpoint unless told s3v4: strict auth takes SigV4 only.
    out["presignedV2"] = fetch(s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared/presigned.txt"}, ExpiresIn=3600))
    s3 = boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    # Presigned GETs: one valid for an hour, one that expires in a second (fetched after it has).
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared/presigned.txt"}, ExpiresIn=3600)
    short = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared/presigned.txt"}, ExpiresIn=1)
    out["presigned"] = fetch(url)
    time.sleep(2.5)
    out["presignedExpired"] = fetch(short)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
