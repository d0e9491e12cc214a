"""boto3 creates an endpoint config with DataCaptureConfig and describes it
(test/integration/data-capture.test.ts); a serverless variant with capture is
refused. Prints what it saw."""

import json
import sys

import boto3
import botocore.exceptions

model, prefix, bucket = sys.argv[1], sys.argv[2], sys.argv[3]
sm = boto3.client("sagemaker")
capture = {
    "EnableCapture": True,
    "InitialSamplingPercentage": 50,
    "DestinationS3Uri": f"s3://{bucket}/boto3",
    "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
    "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"], "JsonContentTypes": ["application/json"]},
}
sm.create_endpoint_config(
    EndpointConfigName=f"{prefix}-cfg",
    ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": model, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
    DataCaptureConfig=capture,
)
described = sm.describe_endpoint_config(EndpointConfigName=f"{prefix}-cfg")["DataCaptureConfig"]
try:
    sm.create_endpoint_config(
        EndpointConfigName=f"{prefix}-sls",
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": model, "ServerlessConfig": {"MemorySizeInMB": 1024, "MaxConcurrency": 1}}],
        DataCaptureConfig=capture,
    )
    refused = None
except botocore.exceptions.ClientError as err:
    refused = err.response["Error"]
print(json.dumps({"described": described, "sent": capture, "serverlessRefused": refused}))
