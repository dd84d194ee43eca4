// The API's schemas say "Too small: expected string to have >=1 characters"; a merchant reads
// "Required". The pricing forms check with those schemas and show these words instead.
import type { Issue } from '../forms/field-errors.ts';

/** What the forms read of a zod issue: its kind and bounds, when it has them. */
export interface SchemaIssue extends Issue {
  readonly code?: string;
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
}

export function readableMessage(issue: SchemaIssue): string {
  const minimum = Number(issue.minimum);
  const maximum = Number(issue.maximum);
  if (issue.code === 'too_small') {
    if (issue.origin === 'string') return minimum === 1 ? 'Required' : `At least ${minimum} characters`;
    if (issue.origin === 'array') return minimum === 1 ? 'Add at least one' : `Add at least ${minimum}`;
    return `At least ${minimum}`;
  }
  if (issue.code === 'too_big') {
    if (issue.origin === 'string') return `At most ${maximum} characters`;
    if (issue.origin === 'array') return `At most ${maximum}`;
    return `At most ${maximum}`;
  }
  return issue.message;
}

export function readableIssues(issues: readonly SchemaIssue[]): Issue[] {
  return issues.map((issue) => ({ path: issue.path, message: readableMessage(issue) }));
}
