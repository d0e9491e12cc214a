import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describe, test } from 'node:test';
import { CreateTopicCommand, SetSubscriptionAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildFailureNotification, buildSuccessNotification } from '../../src/async-inference/notification-message.js';
import { snsNotifier, UNSET_ENDPOINT_LOG_MESSAGE } from '../../src/async-inference/notifier.js';
import { createLogger } from '../../src/observability/logger.js';
import { pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { freePort } from '../helpers/free-port.js';
import { startRecordingSnsServer, startSnsServer } from '../helpers/moto-server.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A debug-level logger whose entries the test can read. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger('debug', false, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

const request = {
  region: 'us-east-1',
  endpointName: 'async-ep',
  inputLocation: 's3://in/payload.json',
  contentType: 'application/json',
  accept: 'application/json',
  receivedAt: new Date('2026-01-01T00:00:00.000Z'),
  includeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC', 'ERROR_NOTIFICATION_TOPIC'],
};

const success = buildSuccessNotification({
  ...request,
  inferenceId: 'inference-ok',
  completedAt: new Date('2026-01-01T00:00:01.500Z'),
  outputLocation: 's3://out/inference-ok.out',
  responseContentType: 'application/json',
  response: new TextEncoder().encode('{"label":"cat"}'),
});

const failure = buildFailureNotification({
  ...request,
  inferenceId: 'inference-failed',
  failedAt: new Date('2026-01-01T00:00:02.000Z'),
  failureReason: 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.',
  failureLocation: 's3://failures/inference-failed.out',
  responseContentType: 'text/plain',
  response: new TextEncoder().encode('boom'),
});

describe('SNS notifier', { timeout: TIMEOUT.suite }, () => {
  test('publishes success and failure notifications that subscribers receive unchanged', { timeout: TIMEOUT.test }, async (t) => {
    const sns = await startSnsServer();
    t.diagnostic(`SNS server: ${sns.kind} at ${sns.url}`);
    const { log, lines } = recordingLogger();
    const notifier = snsNotifier({ endpoint: sns.url, region: 'us-east-1', log });
    const admin = { endpoint: sns.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    const snsAdmin = new SNSClient(admin);
    const sqs = new SQSClient(admin);
    try {
      let successTopic = 'arn:aws:sns:us-east-1:123456789012:async-success';
      let errorTopic = 'arn:aws:sns:us-east-1:123456789012:async-error';
      let queueUrl: string | undefined;
      if (sns.kind === 'moto') {
        successTopic = (await snsAdmin.send(new CreateTopicCommand({ Name: 'async-success' }))).TopicArn!;
        errorTopic = (await snsAdmin.send(new CreateTopicCommand({ Name: 'async-error' }))).TopicArn!;
        queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'async-notifications' }))).QueueUrl!;
        const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!
          .QueueArn!;
        // Raw delivery on one topic, the SNS envelope on the other: subscribers use both.
        const raw = await snsAdmin.send(new SubscribeCommand({ TopicArn: successTopic, Protocol: 'sqs', Endpoint: queueArn }));
        await snsAdmin.send(
          new SetSubscriptionAttributesCommand({ SubscriptionArn: raw.SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }),
        );
        await snsAdmin.send(new SubscribeCommand({ TopicArn: errorTopic, Protocol: 'sqs', Endpoint: queueArn }));
      }

      assert.equal(await notifier.publish(successTopic, success, { endpoint: 'async-ep', inferenceId: 'inference-ok' }), true);
      assert.equal(await notifier.publish(errorTopic, failure, { endpoint: 'async-ep', inferenceId: 'inference-failed' }), true);

      let received: unknown[];
      if (sns.kind === 'moto') {
        const bodies: unknown[] = [];
        received = await pollUntil(
          'both notifications in the SQS queue',
          async () => {
            const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
            for (const m of out.Messages ?? []) {
              const body = JSON.parse(m.Body!) as Record<string, unknown>;
              // Without RawMessageDelivery, SNS wraps the message: {"Type":"Notification","Message":"<our JSON>",…}.
              bodies.push(body.Type === 'Notification' ? JSON.parse(body.Message as string) : body);
            }
            return bodies.length >= 2 && bodies;
          },
          { timeoutMs: 20_000, intervalMs: 100 },
        );
      } else {
        received = sns.published.map((p) => JSON.parse(p.message) as unknown);
        assert.deepEqual(
          sns.published.map((p) => p.topicArn),
          [successTopic, errorTopic],
        );
      }
      const byStatus = (status: string) => received.find((m) => (m as { invocationStatus: string }).invocationStatus === status);
      assert.deepEqual(byStatus('Completed'), success);
      assert.deepEqual(byStatus('Failed'), failure);
      assert.equal(received.length, 2);

      const published = lines.filter((l) => l.msg === 'async notification published');
      assert.equal(published.length, 2);
      assert.equal(published[0]!.level, 20, 'debug');
      assert.deepEqual(
        published.map((l) => [l.endpoint, l.inferenceId, l.snsEndpoint]),
        [
          ['async-ep', 'inference-ok', sns.url],
          ['async-ep', 'inference-failed', sns.url],
        ],
      );
    } finally {
      notifier.close();
      snsAdmin.destroy();
      sqs.destroy();
      await sns.stop();
    }
  });

  test('publishes with the region of the topic ARN, not the configured one', { timeout: TIMEOUT.test }, async (t) => {
    const sns = await startSnsServer();
    t.diagnostic(`SNS server: ${sns.kind}`);
    const { log } = recordingLogger();
    const notifier = snsNotifier({ endpoint: sns.url, region: 'us-east-1', log });
    const snsAdmin = new SNSClient({ endpoint: sns.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
    try {
      const topic =
        sns.kind === 'moto'
          ? (await snsAdmin.send(new CreateTopicCommand({ Name: 'eu-topic' }))).TopicArn!
          : 'arn:aws:sns:eu-west-1:123456789012:eu-topic';
      assert.match(topic, /^arn:aws:sns:eu-west-1:/);
      // moto keeps topics per region: a publish signed for us-east-1 would not find this one.
      assert.equal(await notifier.publish(topic, success, { endpoint: 'async-ep', inferenceId: 'inference-ok' }), true);
      if (sns.kind === 'recording') {
        assert.equal(sns.published.length, 1);
      }
    } finally {
      notifier.close();
      snsAdmin.destroy();
      await sns.stop();
    }
  });

  test('the recording server receives the SDK\'s query-protocol Publish', { timeout: TIMEOUT.test }, async () => {
    const sns = await startRecordingSnsServer();
    const { log } = recordingLogger();
    const notifier = snsNotifier({ endpoint: sns.url, region: 'us-east-1', log });
    try {
      const topic = 'arn:aws:sns:us-east-1:123456789012:async-success';
      assert.equal(await notifier.publish(topic, success, { endpoint: 'async-ep', inferenceId: 'inference-ok' }), true);
      assert.equal(sns.published.length, 1);
      const { params, message } = sns.published[0]!;
      assert.equal(params.Action, 'Publish');
      assert.equal(params.Version, '2010-03-31');
      assert.equal(params.TopicArn, topic);
      assert.deepEqual(JSON.parse(message), success);
    } finally {
      notifier.close();
      await sns.stop();
    }
  });

  test('with SME_SNS_ENDPOINT_URL unset, the notification is logged at info', { timeout: TIMEOUT.test }, async () => {
    const { log, lines } = recordingLogger();
    const notifier = snsNotifier({ endpoint: undefined, region: 'us-east-1', log });
    try {
      const topic = 'arn:aws:sns:us-east-1:123456789012:async-error';
      assert.equal(await notifier.publish(topic, failure, { endpoint: 'async-ep', inferenceId: 'inference-failed' }), true);
      const entry = lines.find((l) => l.msg === UNSET_ENDPOINT_LOG_MESSAGE);
      assert.ok(entry, JSON.stringify(lines));
      assert.equal(entry.level, 30, 'info');
      assert.equal(entry.endpoint, 'async-ep');
      assert.equal(entry.inferenceId, 'inference-failed');
      assert.equal(entry.topicArn, topic);
      assert.deepEqual(entry.notification, failure);
    } finally {
      notifier.close();
    }
  });

  test('an unreachable SNS endpoint: false within the bound, a warning, no throw', { timeout: TIMEOUT.test }, async () => {
    const { log, lines } = recordingLogger();
    // Nothing listens on a port that was free a moment ago: connections are refused.
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const notifier = snsNotifier({ endpoint, region: 'us-east-1', log });
    try {
      const started = Date.now();
      const ok = await notifier.publish('arn:aws:sns:us-east-1:123456789012:t', success, { endpoint: 'async-ep', inferenceId: 'inference-ok' });
      const ms = Date.now() - started;
      assert.equal(ok, false);
      // Three attempts at 5 s each plus backoff is the bound; a refused connection fails much faster.
      assert.ok(ms < 18_000, `took ${ms} ms`);
      const warning = lines.find((l) => l.msg === 'async notification not published');
      assert.ok(warning, JSON.stringify(lines));
      assert.equal(warning.level, 40, 'warn');
      assert.equal(warning.inferenceId, 'inference-ok');
      assert.equal(warning.snsEndpoint, endpoint);
    } finally {
      notifier.close();
    }
  });

  test('an SNS endpoint that never answers: false once the request timeout has run out on every attempt', { timeout: TIMEOUT.test }, async () => {
    const sockets = new Set<Socket>();
    const silent = http.createServer(() => {
      // Reads the request and never answers.
    });
    silent.on('connection', (s) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const { log, lines } = recordingLogger();
    const notifier = snsNotifier({ endpoint, region: 'us-east-1', log, requestTimeoutMs: 300, maxAttempts: 2 });
    try {
      const started = Date.now();
      const ok = await notifier.publish('arn:aws:sns:us-east-1:123456789012:t', failure, { endpoint: 'async-ep', inferenceId: 'inference-failed' });
      const ms = Date.now() - started;
      assert.equal(ok, false);
      // Both attempts ran into their 300 ms, and the publish ended well before its last-resort bound (2 × 1.3 s).
      assert.ok(ms >= 2 * 300 && ms < 2 * 1300, `took ${ms} ms`);
      const warning = lines.find((l) => l.msg === 'async notification not published');
      assert.ok(warning, JSON.stringify(lines));
      assert.equal(warning.level, 40, 'warn');
      assert.equal((warning.err as { name: string }).name, 'TimeoutError', 'the per-attempt timeout, not the overall abort');
    } finally {
      notifier.close();
      for (const s of sockets) {
        s.destroy();
      }
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
