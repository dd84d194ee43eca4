// Form validation with the API's own zod schemas (`@shop/api/schemas`): the browser checks with
// the same rules the server applies, and the server's field errors land on the same fields.

/** A schema issue: zod's, or anything shaped like it. */
export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export type FieldErrors = Partial<Record<string, string>>;

/** The first message for each top-level field (a schema's issues, or the API's `fieldErrors`). */
export function fieldErrorsFromIssues(issues: readonly Issue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * The first message for each top-level field of the API's `fieldErrors`; with `under`, for each
 * field of that nested object instead (`under: 'shippingAddress'` reads `shippingAddress.city`
 * as `city`).
 */
export function fieldErrorsFromApi(fieldErrors: Record<string, string[]>, under?: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const [path, messages] of Object.entries(fieldErrors)) {
    const segments = path.split('.');
    if (under !== undefined && segments.shift() !== under) continue;
    const field = segments[0] ?? path;
    errors[field] ??= messages[0];
  }
  return errors;
}

/** `errors` less those of the fields whose value changed from `before` to `after`: a field's error goes once it is edited. */
export function withoutEditedFields<T extends Record<string, string>>(errors: FieldErrors, before: T, after: T): FieldErrors {
  const kept: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) if (before[field] === after[field]) kept[field] = message;
  return kept;
}

/** `errors` less those of the fields named in `fields` (the ones just edited): a field's error goes as soon as it is changed. */
export function withoutFields(errors: FieldErrors, fields: object): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([field]) => !(field in fields)));
}
