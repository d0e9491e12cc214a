"""CloudWatch's read side through boto3 (JSON 1.0, what boto3 1.43 sends).

Usage: cloudwatch_boto3.py ENDPOINT START END — START/END are epoch seconds of
the window the test made its invocations in. Prints one JSON document:
get_metric_statistics of Invocations and ModelLatency over the window,
list_metrics for the endpoint, get_metric_data with a SUM(METRICS()) expression,
and the errors a reversed window and missing statistics get.
"""

import datetime
import sys

import boto3

from common import capture, emit


def main():
    endpoint, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    cw = boto3.client("cloudwatch")
    dims = [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}]
    t0 = datetime.datetime.fromtimestamp(start, datetime.timezone.utc)
    t1 = datetime.datetime.fromtimestamp(end, datetime.timezone.utc)
    out = {}

    stats = cw.get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="Invocations", Dimensions=dims,
        StartTime=t0, EndTime=t1, Period=1, Statistics=["Sum", "SampleCount"],
    )
    out["invocations"] = {
        "sum": sum(d["Sum"] for d in stats["Datapoints"]),
        "datapoints": len(stats["Datapoints"]),
        "units": sorted({d["Unit"] for d in stats["Datapoints"]}),
        "label": stats["Label"],
        "timestampType": type(stats["Datapoints"][0]["Timestamp"]).__name__ if stats["Datapoints"] else None,
    }
    # One period covering the whole window: merged buckets give the same sum.
    whole = cw.get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="Invocations", Dimensions=dims,
        StartTime=t0, EndTime=t1, Period=int(end - start), Statistics=["Sum"],
    )
    out["wholeWindowSum"] = sum(d["Sum"] for d in whole["Datapoints"])
    latency = cw.get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="ModelLatency", Dimensions=dims,
        StartTime=t0, EndTime=t1, Period=int(end - start), Statistics=["SampleCount", "Average", "Maximum"],
    )
    out["modelLatency"] = [{k: d.get(k) for k in ("SampleCount", "Average", "Maximum", "Unit")} for d in latency["Datapoints"]]
    p99 = cw.get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="ModelLatency", Dimensions=dims,
        StartTime=t0, EndTime=t1, Period=int(end - start), ExtendedStatistics=["p50", "p99"],
    )
    out["percentiles"] = [d.get("ExtendedStatistics") for d in p99["Datapoints"]]

    listed = cw.list_metrics(Namespace="AWS/SageMaker", Dimensions=[{"Name": "EndpointName", "Value": endpoint}])
    out["listed"] = sorted({m["MetricName"] for m in listed["Metrics"]})

    data = cw.get_metric_data(
        StartTime=t0, EndTime=t1,
        MetricDataQueries=[
            {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/SageMaker", "MetricName": "Invocations", "Dimensions": dims}, "Period": 1, "Stat": "Sum"}, "ReturnData": False},
            {"Id": "total", "Expression": "SUM(METRICS())", "Label": "all"},
        ],
    )
    result = data["MetricDataResults"][0]
    out["metricData"] = {"id": result["Id"], "label": result["Label"], "sum": sum(result["Values"]), "status": result["StatusCode"]}

    out["reversedWindow"] = capture(lambda: cw.get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="Invocations", Dimensions=dims,
        StartTime=t1, EndTime=t0, Period=1, Statistics=["Sum"],
    ))
    out["noStatistics"] = capture(lambda: cw.get_metric_statistics(
        Namespace="AWS/SageMaker", MetricName="Invocations", Dimensions=dims, StartTime=t0, EndTime=t1, Period=1,
    ))
    emit(out)


if __name__ == "__main__":
    main()
