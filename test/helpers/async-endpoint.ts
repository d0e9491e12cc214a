import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  type AsyncInferenceConfig,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type SageMakerClient,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { pollUntil } from './bounded.js';
import { credentials, uniqueName } from './emulator.js';
import { createModel } from './sagemaker.js';

/** An S3 client for the emulator's embedded S3 (path-style, as the emulator serves it). */
export function s3Client(url: string): S3Client {
  return new S3Client({ endpoint: url, region: 'us-east-1', credentials, forcePathStyle: true, maxAttempts: 1 });
}

export async function createBucket(s3: S3Client, prefix = 'async'): Promise<string> {
  const bucket = uniqueName(prefix).toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value), ContentType: 'application/json' }));
  return `s3://${bucket}/${key}`;
}

/** The object's text, or undefined while it does not exist. */
export async function readObject(s3: S3Client, uri: string): Promise<string | undefined> {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) {
    throw new Error(`not an s3 URI: ${uri}`);
  }
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }));
    return await out.Body!.transformToString();
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') {
      return undefined;
    }
    throw err;
  }
}

/** Waits (bounded) for the object to appear and returns its text. */
export function waitForObject(s3: S3Client, uri: string, timeoutMs = 30_000): Promise<string> {
  return pollUntil(`object ${uri}`, () => readObject(s3, uri), { timeoutMs, intervalMs: 100 });
}

/** Creates a model, an async config (one provisioned variant) and an endpoint, and waits for InService. */
export async function createAsyncEndpoint(
  sm: SageMakerClient,
  asyncConfig: AsyncInferenceConfig,
  opts: { instanceCount?: number } = {},
): Promise<{ model: string; config: string; endpoint: string }> {
  const model = await createModel(sm);
  const config = uniqueName('async-config');
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: config,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: opts.instanceCount ?? 1 }],
      AsyncInferenceConfig: asyncConfig,
    }),
  );
  const endpoint = uniqueName('async-ep');
  await sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }));
  await waitUntilEndpointInService({ client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
  return { model, config, endpoint };
}

/** A topic on the SNS server with an SQS queue subscribed (raw delivery), to read what was published. */
export async function subscribedQueue(
  snsUrl: string,
  name: string,
  queueName = name,
): Promise<{ topicArn: string; queueUrl: string; sqs: SQSClient; close(): void }> {
  const cfg = { endpoint: snsUrl, region: 'us-east-1', credentials, maxAttempts: 1 };
  const sns = new SNSClient(cfg);
  const sqs = new SQSClient(cfg);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: 'true' } }),
  );
  return { topicArn: TopicArn!, queueUrl: QueueUrl!, sqs, close: () => (sns.destroy(), sqs.destroy()) };
}

/**
 * Receives (bounded) until a message matches, deleting what it reads. Every
 * message read is kept in `seen`: pass the same array to the next call, or a
 * message read (and deleted) while looking for an earlier one is lost to it.
 */
export async function receiveMatching(
  sqs: SQSClient,
  queueUrl: string,
  match: (body: Record<string, unknown>) => boolean,
  seen: Record<string, unknown>[] = [],
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  return pollUntil(
    'an SNS notification in the subscribed queue',
    async () => {
      const match0 = seen.find(match);
      if (match0) {
        return match0;
      }
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of out.Messages ?? []) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        const body = JSON.parse(m.Body!) as Record<string, unknown>;
        seen.push(body);
      }
      return seen.find(match) ?? (seen.length > 0 ? false : undefined);
    },
    { timeoutMs, intervalMs: 100 },
  ).catch(async (err: Error) => {
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] })).then((o) => JSON.stringify(o.Attributes), (e: Error) => e.message);
    throw new Error(`${err.message}; read ${seen.length}: ${JSON.stringify(seen).slice(0, 1500)}; queue ${queueUrl}: ${attrs}`);
  });
}
