import { inputTime } from '../protocol/wire-time.js';
import { validationException } from '../protocol/wire-errors.js';

/**
 * The List* family: name and time filters, sort, and opaque NextToken paging
 * with MaxResults defaulting to 10 (docs/aws-contract.md §4.6).
 */
export interface Listable {
  name: string;
  creationTime: number;
  lastModifiedTime?: number;
  status?: string;
}

/** What the List* inputs share (every List*Input of the service model fits it). */
export interface ListInput {
  NameContains?: string;
  CreationTimeAfter?: number | string;
  CreationTimeBefore?: number | string;
  LastModifiedTimeAfter?: number | string;
  LastModifiedTimeBefore?: number | string;
  StatusEquals?: string;
  SortBy?: string;
  SortOrder?: string;
  NextToken?: string;
  MaxResults?: number;
}

function decodeToken(token: unknown): number {
  if (token === undefined) {
    return 0;
  }
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) {
      return parsed.offset;
    }
  } catch {
    // fall through to the error below
  }
  throw validationException('Invalid pagination token.');
}

export function paginate<T extends Listable>(items: T[], input: ListInput): { page: T[]; NextToken?: string } {
  const nameContains = input.NameContains?.toLowerCase();
  const after = inputTime(input.CreationTimeAfter);
  const before = inputTime(input.CreationTimeBefore);
  const modAfter = inputTime(input.LastModifiedTimeAfter);
  const modBefore = inputTime(input.LastModifiedTimeBefore);
  const status = input.StatusEquals;
  const filtered = items.filter(
    (i) =>
      (nameContains === undefined || i.name.toLowerCase().includes(nameContains)) &&
      (after === undefined || i.creationTime > after) &&
      (before === undefined || i.creationTime < before) &&
      (modAfter === undefined || (i.lastModifiedTime ?? i.creationTime) > modAfter) &&
      (modBefore === undefined || (i.lastModifiedTime ?? i.creationTime) < modBefore) &&
      (status === undefined || i.status === status),
  );
  const sortBy = input.SortBy ?? 'CreationTime';
  const direction = input.SortOrder === 'Ascending' ? 1 : -1;
  filtered.sort((a, b) => {
    const primary =
      sortBy === 'Name'
        ? a.name.localeCompare(b.name)
        : sortBy === 'Status'
          ? (a.status ?? '').localeCompare(b.status ?? '')
          : a.creationTime - b.creationTime;
    // Ties keep a stable order across pages.
    return (primary || a.name.localeCompare(b.name)) * direction;
  });
  const offset = decodeToken(input.NextToken);
  const max = input.MaxResults ?? 10;
  const page = filtered.slice(offset, offset + max);
  const next = offset + max < filtered.length ? offset + max : undefined;
  return next === undefined
    ? { page }
    : { page, NextToken: Buffer.from(JSON.stringify({ offset: next })).toString('base64url') };
}
