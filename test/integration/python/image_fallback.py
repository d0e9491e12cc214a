"""A boto3 script written for real SageMaker, with a placeholder ECR URI:
run by test/integration/image-fallback.test.ts against an emulator started
with SME_IMAGE_FALLBACK. Usage: image_fallback.py NAME_PREFIX IMAGE_URI
"""

import json
import sys

from common import ROLE, clients, emit

prefix, image = sys.argv[1], sys.argv[2]
sm, runtime = clients()
sm.create_model(ModelName=prefix + "-model", ExecutionRoleArn=ROLE, PrimaryContainer={"Image": image})
sm.create_endpoint_config(
    EndpointConfigName=prefix + "-config",
    ProductionVariants=[
        {"VariantName": "AllTraffic", "ModelName": prefix + "-model", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
    ],
)
sm.create_endpoint(EndpointName=prefix + "-ep", EndpointConfigName=prefix + "-config")
sm.get_waiter("endpoint_in_service").wait(EndpointName=prefix + "-ep", WaiterConfig={"Delay": 1, "MaxAttempts": 120})
answer = runtime.invoke_endpoint(EndpointName=prefix + "-ep", ContentType="application/json", Body=json.dumps({"from": "boto3"}))
endpoint = sm.describe_endpoint(EndpointName=prefix + "-ep")
emit(
    {
        "status": endpoint["EndpointStatus"],
        "input": json.loads(answer["Body"].read())["input"],
        "modelImage": sm.describe_model(ModelName=prefix + "-model")["PrimaryContainer"]["Image"],
        "deployedImages": endpoint["ProductionVariants"][0].get("DeployedImages", []),
    }
)
sm.delete_endpoint(EndpointName=prefix + "-ep")
