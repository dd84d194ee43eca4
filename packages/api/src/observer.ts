// What a procedure call did, for whoever watches the shop run (apps/server's metrics). The api
// package stays free of any metrics library: it only says what happened.
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { DomainReason } from './errors.ts';

export type ProcedureObservation =
  | {
      path: string;
      type: 'query' | 'mutation' | 'subscription';
      durationMs: number;
      ok: true;
      /** What it answered (a subscription: nothing yet, the stream has only opened). */
      data: unknown;
    }
  | {
      path: string;
      type: 'query' | 'mutation' | 'subscription';
      durationMs: number;
      ok: false;
      code: TRPC_ERROR_CODE_KEY;
      /** The DomainError's reason, `INVALID_INPUT` for input the schema refused, null for an unexpected failure. */
      reason: DomainReason | null;
    };

export interface ProcedureObserver {
  /** Called once per procedure call, when its answer is ready; must not throw or wait. */
  procedureDone(observation: ProcedureObservation): void;
}

export const noObserver: ProcedureObserver = { procedureDone() {} };
