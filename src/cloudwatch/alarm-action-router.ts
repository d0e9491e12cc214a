/**
 * Runs alarm actions through the handlers registered by ARN prefix
 * (`onAction`, src/cloudwatch/alarm-actions.ts): Application Auto Scaling
 * registers `arn:aws:autoscaling:` for its scaling policies. An SNS topic is
 * logged (the emulator publishes no alarm notification); any other ARN is
 * logged and ignored, as CloudWatch "doesn't test or validate the actions
 * that you specify" (AlarmThatSendsEmail.html).
 */
import type { Logger } from 'pino';
import type { AlarmActionHandler, AlarmInvocation } from './alarm-actions.js';

/**
 * "An alarm invokes actions only when the alarm changes state. The exception
 * is for alarms with Auto Scaling actions. For Auto Scaling actions, the alarm
 * continues to invoke the action once per minute that the alarm remains in
 * the new state." (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html)
 */
export const isAutoScalingAction = (arn: string): boolean => /^arn:[^:]+:autoscaling:/.test(arn);

export class AlarmActionRouter {
  private readonly handlers: { prefix: string; handler: AlarmActionHandler }[] = [];

  constructor(private readonly log: Logger) {}

  onAction(prefix: string, handler: AlarmActionHandler): void {
    this.handlers.push({ prefix, handler });
    // The longest prefix wins when several match.
    this.handlers.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** Runs `arns` for an invocation; `repeat` runs only the Auto Scaling ones (the alarm stayed in its state). */
  run(arns: readonly string[], invocation: AlarmInvocation, repeat: boolean): void {
    for (const arn of arns) {
      if (repeat && !isAutoScalingAction(arn)) {
        continue;
      }
      const found = this.handlers.find((h) => arn.startsWith(h.prefix));
      if (found) {
        try {
          found.handler(arn, invocation);
        } catch (err) {
          this.log.error({ err, action: arn, alarm: invocation.alarmName }, 'alarm action handler failed');
        }
      } else if (/^arn:[^:]+:sns:/.test(arn)) {
        this.log.info({ action: arn, alarm: invocation.alarmName, state: invocation.state, reason: invocation.reason }, 'alarm notification (not published: no SNS here)');
      } else {
        this.log.warn({ action: arn, alarm: invocation.alarmName, state: invocation.state }, 'alarm action ignored: no handler for it');
      }
    }
  }
}
