"""boto3 against Inference Recommender (test/integration/recommender-clients.test.ts).

Usage: recommender_boto3.py MODEL PAYLOAD_URL. Creates a Default and an Advanced job with
create_inference_recommendations_job, polls describe_inference_recommendations_job (bounded),
and prints one JSON document: both descriptions and the Advanced job's steps.
"""

import sys
import time
import uuid

from common import ROLE, clients, emit


def wait(sm, name, seconds=150):
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / 0.5) + 1):
        d = sm.describe_inference_recommendations_job(JobName=name)
        if d["Status"] in ("COMPLETED", "FAILED", "STOPPED") or time.monotonic() > deadline:
            return d
        time.sleep(0.5)
    return d


def main():
    model, payload_url = sys.argv[1], sys.argv[2]
    sm, _ = clients()
    container = {"PayloadConfig": {"SamplePayloadUrl": payload_url, "SupportedContentTypes": ["application/json"]}}
    default = "boto3-default-" + uuid.uuid4().hex[:8]
    sm.create_inference_recommendations_job(
        JobName=default, JobType="Default", RoleArn=ROLE,
        InputConfig={"ModelName": model, "ContainerConfig": container},
    )
    advanced = "boto3-advanced-" + uuid.uuid4().hex[:8]
    sm.create_inference_recommendations_job(
        JobName=advanced, JobType="Advanced", RoleArn=ROLE,
        InputConfig={
            "ModelName": model,
            "ContainerConfig": container,
            "JobDurationInSeconds": 600,
            "EndpointConfigurations": [{"InstanceType": "ml.m5.large"}, {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 4}}],
            "TrafficPattern": {"TrafficType": "STAIRS", "Stairs": {"DurationInSeconds": 120, "NumberOfSteps": 2, "UsersPerStep": 2}},
        },
        StoppingConditions={"ModelLatencyThresholds": [{"Percentile": "P99", "ValueInMilliseconds": 2000}]},
    )
    doc = {
        "default": wait(sm, default),
        "advanced": wait(sm, advanced),
        "steps": sm.list_inference_recommendations_job_steps(JobName=advanced)["Steps"],
        "listed": [j["JobName"] for j in sm.list_inference_recommendations_jobs(ModelNameEquals=model)["InferenceRecommendationsJobs"]],
    }
    emit(doc)


if __name__ == "__main__":
    main()
