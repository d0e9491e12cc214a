import { instanceSize } from './instance-types.js';

/**
 * Prices behind sagemaker_estimated_cost_usd_total: us-east-1 on-demand list
 * prices, a dated default (2026) and not a quote; they let a user compare
 * serverless and real-time for their own traffic.
 */

/** Serverless: USD 0.00002 per GB-second of configured memory (docs/aws-contract.md §12: 1024 MB → 0.0000200/s). */
export function serverlessPricePerSecond(memorySizeInMB: number): number {
  return (0.00002 * memorySizeInMB) / 1024;
}

/** What one serverless request costs: its duration rounded up to the millisecond, at the memory's price. */
export function serverlessInvocationCost(modelSeconds: number, perSecond: number): number {
  return (Math.ceil(modelSeconds * 1000 - 1e-9) / 1000) * perSecond;
}

/** Real-time hosting, USD per instance-hour. */
const HOURLY: Record<string, number> = {
  'ml.t2.medium': 0.056,
  'ml.t2.large': 0.111,
  'ml.t2.xlarge': 0.223,
  'ml.t2.2xlarge': 0.445,
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.m5.2xlarge': 0.461,
  'ml.m5.4xlarge': 0.922,
  'ml.c5.large': 0.102,
  'ml.c5.xlarge': 0.204,
  'ml.c5.2xlarge': 0.408,
  'ml.c5.4xlarge': 0.816,
  'ml.r5.large': 0.151,
  'ml.r5.xlarge': 0.302,
  'ml.g4dn.xlarge': 0.7364,
  'ml.g4dn.2xlarge': 0.94,
  'ml.g5.xlarge': 1.408,
  'ml.g5.2xlarge': 1.515,
  'ml.p3.2xlarge': 3.825,
  'ml.inf1.xlarge': 0.297,
  'ml.inf2.xlarge': 0.99,
};

/** Types not in the table are priced like an ml.m5 of the same vCPU count (USD 0.0575 per vCPU-hour). */
export function instanceHourlyPrice(instanceType: string): number {
  return HOURLY[instanceType] ?? 0.0575 * instanceSize(instanceType).vcpus;
}

/** What a variant costs, by how it is billed. */
export type Billing = { kind: 'serverless'; perSecond: number } | { kind: 'instance'; hourly: number };
