"""A test suite written for moto's server mode, run unchanged against the
emulator (test/integration/image-fallback.test.ts, with SME_IMAGE_FALLBACK):
clients at AWS_ENDPOINT_URL, a placeholder ECR URI, and a POST to
/moto-api/reset after each test. Unlike moto, the endpoint really serves, and
a bad request gets SageMaker's own error. Exits 0 when every test passes.
"""

import json
import os
import unittest
import urllib.request

import boto3
import botocore.exceptions

URL = os.environ["AWS_ENDPOINT_URL"]
ROLE = "arn:aws:iam::123456789012:role/test"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:latest"


class SageMakerSuite(unittest.TestCase):
    def setUp(self):
        self.sm = boto3.client("sagemaker")
        self.runtime = boto3.client("sagemaker-runtime")

    def tearDown(self):
        urllib.request.urlopen(urllib.request.Request(URL + "/moto-api/reset", method="POST"), timeout=60).read()

    def deploy(self, name):
        self.sm.create_model(ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": IMAGE})
        self.sm.create_endpoint_config(
            EndpointConfigName=name,
            ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}],
        )
        self.sm.create_endpoint(EndpointName=name, EndpointConfigName=name)
        self.sm.get_waiter("endpoint_in_service").wait(EndpointName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})

    def test_1_endpoint_serves(self):
        self.deploy("moto-style")
        answer = self.runtime.invoke_endpoint(EndpointName="moto-style", ContentType="application/json", Body=json.dumps({"x": 1}))
        self.assertEqual(json.loads(answer["Body"].read())["input"], {"x": 1})

    def test_2_reset_left_nothing(self):
        self.assertEqual(self.sm.list_models()["Models"], [])
        self.assertEqual(self.sm.list_endpoints()["Endpoints"], [])

    def test_3_missing_endpoint_is_sagemakers_error(self):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            self.sm.describe_endpoint(EndpointName="not-there")
        self.assertEqual(caught.exception.response["Error"]["Code"], "ValidationException")
        self.assertIn('Could not find endpoint "', caught.exception.response["Error"]["Message"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
