"""boto3 against batch transform (test/integration/transform-clients.test.ts).

Usage: transform_boto3.py BUCKET IMAGE. Puts two CSV files under s3://BUCKET/boto3-in/ with
put_object, creates a model and a transform job with boto3, waits with the
transform_job_completed_or_stopped waiter (Delay 1), and prints one JSON document: the
description, the outputs read back with get_object, and the job in list_transform_jobs.
"""

import sys
import uuid

from common import ROLE, clients, emit

import boto3


def main():
    bucket, image = sys.argv[1], sys.argv[2]
    sm, _ = clients()
    s3 = boto3.client("s3")
    for name, rows in (("a.csv", "1,2\n3,4\n"), ("b.csv", "10,20\n")):
        s3.put_object(Bucket=bucket, Key="boto3-in/" + name, Body=rows.encode())
    model = "boto3-batch-" + uuid.uuid4().hex[:8]
    sm.create_model(ModelName=model, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image})
    job = "boto3-tj-" + uuid.uuid4().hex[:8]
    sm.create_transform_job(
        TransformJobName=job,
        ModelName=model,
        BatchStrategy="MultiRecord",
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{bucket}/boto3-in/"}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": f"s3://{bucket}/boto3-out/", "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        Tags=[{"Key": "team", "Value": "batch"}],
    )
    sm.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName=job, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    described = sm.describe_transform_job(TransformJobName=job)
    outputs = {k: s3.get_object(Bucket=bucket, Key=f"boto3-out/{k}.out")["Body"].read().decode() for k in ("a.csv", "b.csv")}
    listed = sm.list_transform_jobs(NameContains=job)["TransformJobSummaries"]
    tags = sm.list_tags(ResourceArn=described["TransformJobArn"])["Tags"]
    emit({"described": described, "outputs": outputs, "listed": listed, "tags": tags})


if __name__ == "__main__":
    main()
