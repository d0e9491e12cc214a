"""boto3 against the embedded S3 (test/integration/s3-clients.test.ts).

Usage: s3_boto3.py BUCKET SCRATCH_DIR. Prints one JSON document of what boto3 saw.
The client is built as users build it: endpoint, credentials and region from
the environment; path-style addressing, as for any local S3.
"""

import hashlib
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError


def err(fn):
    try:
        fn()
        return None
    except ClientError as e:
        return {"Code": e.response["Error"]["Code"], "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}


def main():
    bucket, scratch = sys.argv[1], sys.argv[2]
    s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
    out = {}
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/hello.txt", Body=b"hello boto3", ContentType="text/plain", Metadata={"who": "boto3"})
    got = s3.get_object(Bucket=bucket, Key="data/hello.txt", Range="bytes=0-4")
    out["range"] = {"body": got["Body"].read().decode(), "ContentRange": got["ContentRange"], "status": got["ResponseMetadata"]["HTTPStatusCode"]}
    head = s3.head_object(Bucket=bucket, Key="data/hello.txt")
    out["head"] = {"ContentLength": head["ContentLength"], "ContentType": head["ContentType"], "Metadata": head["Metadata"]}

    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"many/{i}/x", Body=b"x")
        s3.put_object(Bucket=bucket, Key=f"many/file-{i}", Body=b"y")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="many/", Delimiter="/", PaginationConfig={"PageSize": 3})
    keys, prefixes, page_count = [], [], 0
    for page in pages:
        page_count += 1
        keys += [c["Key"] for c in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    out["list"] = {"pages": page_count, "keys": keys, "prefixes": prefixes}

    s3.copy_object(Bucket=bucket, Key="copy/hello.txt", CopySource={"Bucket": bucket, "Key": "data/hello.txt"})
    out["copied"] = s3.get_object(Bucket=bucket, Key="copy/hello.txt")["Body"].read().decode()
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"many/file-{i}"} for i in range(5)]})
    out["deleted"] = len(deleted.get("Deleted", []))

    path = os.path.join(scratch, "big.bin")
    with open(path, "wb") as f:
        f.write(os.urandom(11 * 1024 * 1024))
    s3.upload_file(path, bucket, "big/big.bin")  # above 8 MB: boto3's transfer manager uploads in parts
    down = os.path.join(scratch, "big.down")
    s3.download_file(bucket, "big/big.bin", down)
    digest = lambda p: hashlib.md5(open(p, "rb").read()).hexdigest()
    out["multipart"] = {"same": digest(path) == digest(down), "ETag": s3.head_object(Bucket=bucket, Key="big/big.bin")["ETag"]}

    out["errors"] = {
        "NoSuchBucket": err(lambda: s3.get_object(Bucket="boto3-no-such-bucket", Key="k")),
        "NoSuchKey": err(lambda: s3.get_object(Bucket=bucket, Key="missing")),
        "BucketNotEmpty": err(lambda: s3.delete_bucket(Bucket=bucket)),
        "HeadMissing": err(lambda: s3.head_object(Bucket=bucket, Key="missing")),
    }
    west = boto3.client("s3", region_name="eu-west-1", config=Config(s3={"addressing_style": "path"}))
    west.create_bucket(Bucket=bucket + "-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    out["errors"]["BucketAlreadyOwnedByYou"] = err(
        lambda: west.create_bucket(Bucket=bucket + "-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    )
    out["location"] = west.get_bucket_location(Bucket=bucket + "-west").get("LocationConstraint")
    print(json.dumps(out))


main()
