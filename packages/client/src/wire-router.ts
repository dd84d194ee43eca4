// The router as a client sees it over HTTP: each procedure's kind, its input and its output as
// JSON, and the error shape, and nothing of the server (its context names the database, the
// stores and Mongoose). app-router.ts applies it to the API's router; this module has no run time.
//
// Why the aliases below are not exported: tsc writes the inferred type of a declaration in full
// wherever it cannot name a type, and names the types it can import. So an inferred
// `WireRouter`, seen from another module, is written out as object types over tRPC's public types,
// with no import of @shop/* or mongoose, and the bundled .d.ts can stand alone.
import type {
  AnyProcedure,
  AnyRouter,
  inferProcedureInput,
  inferTransformedProcedureOutput,
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCRouterRecord,
  TRPCSubscriptionProcedure,
} from '@trpc/server';

type Primitive = string | number | boolean | bigint | symbol | null | undefined;

/** The same type, rebuilt from object types and literals under this module's own aliases. */
type Plain<T> = [T] extends [Primitive] ? Literals<T> : PlainMembers<T>;
type PlainMembers<T> = T extends readonly unknown[] ? Plain<T[number]>[] : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
/**
 * A union of primitives, made anew: mapped member by member, or passed through, it stays the
 * API's union under the API's alias (`OrderStatus`), which tsc would then import.
 */
type Literals<T> = (T & {}) | Extract<T, null | undefined>;

type Def<TInput, TOutput> = { input: Plain<TInput>; output: TOutput; meta: object };

type WireProcedure<R extends AnyRouter, P extends AnyProcedure> = P['_def']['type'] extends 'subscription'
  ? TRPCSubscriptionProcedure<
      Def<
        inferProcedureInput<P>,
        inferTransformedProcedureOutput<R, P> extends AsyncIterable<infer Event, infer Return, infer Next>
          ? AsyncIterable<Plain<Event>, Plain<Return>, Plain<Next>>
          : never
      >
    >
  : P['_def']['type'] extends 'mutation'
    ? TRPCMutationProcedure<Def<inferProcedureInput<P>, Plain<inferTransformedProcedureOutput<R, P>>>>
    : TRPCQueryProcedure<Def<inferProcedureInput<P>, Plain<inferTransformedProcedureOutput<R, P>>>>;

type WireRecord<R extends AnyRouter, T extends TRPCRouterRecord> = {
  [K in keyof T]: T[K] extends AnyProcedure ? WireProcedure<R, T[K]> : T[K] extends TRPCRouterRecord ? WireRecord<R, T[K]> : never;
};

/** Outputs are described as JSON: a data transformer on the server would make that untrue. */
type JsonRouter = AnyRouter & { _def: { _config: { $types: { transformer: false } } } };

export declare function wireRouter<R extends JsonRouter>(
  router: R,
): TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: Plain<R['_def']['_config']['$types']['errorShape']>; transformer: false },
  WireRecord<R, R['_def']['record']>
>;
