import { Cron, type CronOptions } from 'croner';
import { validation } from './errors.js';

/**
 * Schedules of scheduled actions
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html):
 * `at(yyyy-mm-ddThh:mm:ss)`, `rate(N minute|minutes|hour|hours|day|days)`
 * and `cron(Minutes Hours Day-of-month Month Day-of-week Year)`, at and cron
 * in Timezone (UTC by default).
 *
 * AWS's six cron fields map onto croner's seven-part pattern (seconds first,
 * always 0): `cron(m h dom mon dow y)` → `0 m h dom mon dow y`, with Quartz
 * weekday numbers (1 = Sunday … 7 = Saturday, `alternativeWeekdays`), `?`,
 * `L`, `W`, `#` and names (MON-FRI, JAN) as AWS writes them.
 */
export type Schedule = { kind: 'at'; cron: Cron } | { kind: 'rate'; periodMs: number } | { kind: 'cron'; cron: Cron };

const AT = /^at\((\d{4}-\d{2}-\d{2})T(\d{1,2}):(\d{2}):(\d{2})\)$/;
const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Parses a schedule; a bad one is the ValidationException PutScheduledAction answers. */
export function parseSchedule(expression: string, timezone = 'UTC'): Schedule {
  // NOT VERIFIED beyond its first words: the error aws/aws-cdk#6053 reports from AAS.
  const invalid = (why: string) => validation(`Invalid schedule expression: ${expression} (${why}).`);
  const trimmed = expression.trim();
  const at = AT.exec(trimmed);
  if (at) {
    const iso = `${at[1]}T${at[2]!.padStart(2, '0')}:${at[3]}:${at[4]}`;
    return { kind: 'at', cron: build(iso, { timezone, paused: true }, () => invalid('not a date and time')) };
  }
  const rate = RATE.exec(trimmed);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) {
      throw invalid('the value of a rate expression must be a positive integer');
    }
    return { kind: 'rate', periodMs: n * UNIT_MS[rate[2]!.replace(/s$/, '')]! };
  }
  const cron = CRON.exec(trimmed);
  if (cron) {
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) {
      throw invalid('a cron expression has six fields: minutes, hours, day of month, month, day of week, year');
    }
    const options = { timezone, paused: true, mode: '7-part', alternativeWeekdays: true } as const;
    return { kind: 'cron', cron: build(`0 ${fields.join(' ')}`, options, () => invalid('not a valid cron expression')) };
  }
  throw invalid('use at(...), rate(...) or cron(...)');
}

/** No callback: croner only computes run times, it starts no timer. */
function build(pattern: string, options: CronOptions, invalid: () => Error): Cron {
  try {
    const cron = new Cron(pattern, options);
    cron.nextRun(new Date(0));
    return cron;
  } catch {
    throw invalid();
  }
}

/** NOT VERIFIED: the wording. The model says Timezone takes IANA names. */
export function checkTimezone(timezone: string | undefined): void {
  if (timezone === undefined) {
    return;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw validation(`Time zone ${timezone} is not a valid IANA time zone name.`);
  }
}

export interface ScheduleWindow {
  /** When the action was created: a rate counts from here unless StartTime is given. */
  createdAt: number;
  startTime?: number;
  endTime?: number;
}

/**
 * The first run strictly after `after`, within [StartTime, EndTime];
 * undefined when there is none. A rate runs at StartTime and every period
 * after it, or every period after creation without StartTime.
 */
export function nextRun(schedule: Schedule, after: number, window: ScheduleWindow): number | undefined {
  let next: number | undefined;
  if (schedule.kind === 'rate') {
    const anchor = window.startTime ?? window.createdAt;
    const first = window.startTime !== undefined ? 0 : 1;
    const k = Math.max(first, Math.floor((after - anchor) / schedule.periodMs) + 1);
    next = anchor + k * schedule.periodMs;
  } else if (schedule.kind === 'cron') {
    const from = window.startTime !== undefined ? Math.max(after, window.startTime - 1) : after;
    next = schedule.cron.nextRun(new Date(from))?.getTime();
  } else {
    next = schedule.cron.nextRun(new Date(after))?.getTime();
  }
  return next !== undefined && window.endTime !== undefined && next > window.endTime ? undefined : next;
}
