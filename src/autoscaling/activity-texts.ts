import type { ScalableTargetAction } from '../protocol/generated/application-autoscaling-types.js';
import type { SageMakerDimension } from './records.js';

/**
 * The texts of scaling activities. Verified against real output:
 * - `Setting desired instance count to 48.` / `Successfully set desired instance count to 48. Change successfully
 *   fulfilled by sagemaker.` / `... Waiting for change to be fulfilled by sagemaker.` (users' captures of real
 *   DescribeScalingActivities output);
 * - `Failed to set desired instance count to 110. Reason: ...` and the causes `minimum capacity was set to 110`
 *   (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-query-history.html);
 * - `monitor alarm <alarm> in state ALARM triggered policy <policy>`, `Attempting to scale due to alarm triggered`
 *   (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scaling-activities.html);
 * - `Setting min capacity to 15 and max capacity to 20`, `scheduled action name <n> was triggered`
 *   (https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-additional-cli-commands.html).
 * NOT VERIFIED: the provisioned-concurrency wording, modelled on the instance-count one.
 */
const noun = (dimension: SageMakerDimension) =>
  dimension === 'sagemaker:variant:DesiredInstanceCount' ? 'desired instance count' : 'desired provisioned concurrency';

const sentence = (text: string) => (text.endsWith('.') ? text : `${text}.`);

export const activityTexts = {
  setting: (d: SageMakerDimension, n: number) => `Setting ${noun(d)} to ${n}.`,
  waiting: (d: SageMakerDimension, n: number) => `Successfully set ${noun(d)} to ${n}. Waiting for change to be fulfilled by sagemaker.`,
  succeeded: (d: SageMakerDimension, n: number) => `Successfully set ${noun(d)} to ${n}. Change successfully fulfilled by sagemaker.`,
  failed: (d: SageMakerDimension, n: number, reason: string) => `Failed to set ${noun(d)} to ${n}. Reason: ${sentence(reason)}`,
  /** NOT VERIFIED: the Unfulfilled wording. */
  unfulfilled: (d: SageMakerDimension, n: number, reason: string) => `Unable to fulfill ${noun(d)} of ${n}. Reason: ${sentence(reason)}`,
  /** NOT VERIFIED: an emulator text for an activity a restart cut short. */
  interrupted: 'The emulator restarted before the change was fulfilled by sagemaker.',
  attempting: 'Attempting to scale due to alarm triggered',
  alarmCause: (alarm: string, policy: string) => `monitor alarm ${alarm} in state ALARM triggered policy ${policy}`,
  minCause: (n: number) => `minimum capacity was set to ${n}`,
  maxCause: (n: number) => `maximum capacity was set to ${n}`,
  scheduledCause: (name: string) => `scheduled action name ${name} was triggered`,
  /** `Setting min capacity to 15 and max capacity to 20`; NOT VERIFIED: the one-bound forms. */
  scheduledSetting: (a: ScalableTargetAction) => `Setting ${bounds(a)}`,
  scheduledSucceeded: (a: ScalableTargetAction) => `Successfully set ${bounds(a)}`,
  scheduledFailed: (a: ScalableTargetAction, reason: string) => `Failed to set ${bounds(a)}. Reason: ${sentence(reason)}`,
};

function bounds(a: ScalableTargetAction): string {
  const parts = [
    ...(a.MinCapacity !== undefined ? [`min capacity to ${a.MinCapacity}`] : []),
    ...(a.MaxCapacity !== undefined ? [`max capacity to ${a.MaxCapacity}`] : []),
  ];
  return parts.join(' and ');
}
