// Answers checked once, not on every call. tRPC parses every answer with its procedure's
// `.output()`: for a page of 20 products that is a third of the catalogue page's CPU when the page
// comes from memory (BENCHMARKS.md, "Where the time goes: the catalogue page from memory"). The
// catalogue read model parses each product with its output schema as the product enters it, and
// marks what it answers; `checkedOnce(schema)` lets a marked answer through as it is and parses
// anything else (the database path) as before: stripping what the schema does not name, refusing
// what breaks it. A marked answer is never changed afterwards (the read model replaces what it
// holds, it does not edit it), so the tRPC endpoint may also keep its JSON text (`isChecked`).
import { z } from 'zod';

const checked = new WeakSet<object>();

/** Marks an answer assembled only from parts already parsed by their output schemas (and typed by them). */
export function markChecked<T extends object>(value: T): T {
  checked.add(value);
  return value;
}

/** Whether the value was marked: parsed already, and never changed since. */
export function isChecked(value: unknown): value is object {
  return typeof value === 'object' && value !== null && checked.has(value);
}

/**
 * `schema` for answers that may have been checked already (`markChecked`): those pass as they are.
 *
 * The rest are parsed synchronously, also when tRPC asks for `parseAsync` (it always does when a
 * schema has one): zod 4 runs an object's compiled parser only in a synchronous parse, and
 * interprets the schema in an asynchronous one, about 2.5× the CPU for a page of 20 products
 * (BENCHMARKS.md, "Answers checked with zod's synchronous parse"). The same checks, the same
 * result and the same ZodError; a schema given here must have nothing asynchronous (zod refuses
 * it with "Encountered Promise during synchronous parse").
 */
export function checkedOnce<S extends z.ZodType<object>>(schema: S) {
  const union = z.union([z.custom<z.output<S>>(isChecked), schema]);
  union.parseAsync = async (value, params) => union.parse(value, params);
  return union;
}
