import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Logger } from '../observability/logger.js';

export interface NotificationAbout {
  endpoint: string;
  inferenceId: string;
}

/**
 * Where async inference sends its success and error notifications. publish never
 * throws: a lost notification is logged (and counted by the caller as
 * NotificationFailures), it must not fail the inference it reports on.
 */
export interface Notifier {
  /** True when the message was published (or, with no SNS configured, logged). */
  publish(topicArn: string, message: object, about: NotificationAbout): Promise<boolean>;
}

export interface SnsNotifier extends Notifier {
  /** Destroys the SDK clients (their keep-alive sockets). Safe to call twice. */
  close(): void;
}

export interface SnsNotifierOptions {
  /** SME_SNS_ENDPOINT_URL (LocalStack, moto); undefined means log instead of publishing. */
  endpoint: string | undefined;
  /** Used when a topic ARN carries no region. */
  region: string;
  log: Logger;
  /**
   * Local SNS servers accept any key; test/test unless the caller passes others.
   * The notifier does not read the environment (docs/architecture.md decision 7).
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Per HTTP attempt (default 5 s). */
  requestTimeoutMs?: number;
  /** Attempts per publish, the first included (default 3). */
  maxAttempts?: number;
}

export const UNSET_ENDPOINT_LOG_MESSAGE = 'async notification (SME_SNS_ENDPOINT_URL unset)';

/** arn:aws:sns:us-west-2:123456789012:name → us-west-2; SNS only publishes to topics of the client's region. */
export function topicRegion(topicArn: string): string | undefined {
  const parts = topicArn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts[2] === 'sns' && parts[3] ? parts[3] : undefined;
}

export function snsNotifier(options: SnsNotifierOptions): SnsNotifier {
  const { endpoint, log } = options;
  if (endpoint === undefined) {
    return {
      publish(topicArn, message, about) {
        log.info({ endpoint: about.endpoint, inferenceId: about.inferenceId, topicArn, notification: message }, UNSET_ENDPOINT_LOG_MESSAGE);
        return Promise.resolve(true);
      },
      close() {},
    };
  }

  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const maxAttempts = options.maxAttempts ?? 3;
  // One client per region, reused: the region signs the request and must match the topic's.
  const clients = new Map<string, SNSClient>();
  const clientFor = (region: string): SNSClient => {
    let client = clients.get(region);
    if (!client) {
      client = new SNSClient({
        endpoint,
        region,
        credentials: options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts,
        // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes, and waits on.
        requestHandler: { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true, connectionTimeout: Math.min(requestTimeoutMs, 2000) },
      });
      clients.set(region, client);
    }
    return client;
  };
  // A last resort behind the per-attempt timeout: the attempts, plus the SDK's backoff between them.
  const publishBoundMs = maxAttempts * (requestTimeoutMs + 1000);

  return {
    async publish(topicArn, message, about) {
      const context = { endpoint: about.endpoint, inferenceId: about.inferenceId, topicArn, snsEndpoint: endpoint };
      try {
        const region = topicRegion(topicArn) ?? options.region;
        const out = await clientFor(region).send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(message) }), {
          abortSignal: AbortSignal.timeout(publishBoundMs),
        });
        log.debug({ ...context, messageId: out.MessageId }, 'async notification published');
        return true;
      } catch (err) {
        const e = err as Error & { $metadata?: { httpStatusCode?: number } };
        log.warn({ ...context, err: { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode } }, 'async notification not published');
        return false;
      }
    },
    close() {
      for (const client of clients.values()) {
        client.destroy();
      }
      clients.clear();
    },
  };
}
