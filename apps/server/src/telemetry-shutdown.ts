// How main.ts reaches the tracing SDK that telemetry.ts started: through a global, because the
// two are loaded separately (`--import`) and, bundled, do not share modules.
export const telemetryShutdownKey = Symbol.for('shop.telemetry.shutdown');

/** Exports the spans still buffered and stops tracing; nothing when tracing is off. */
export async function shutdownTelemetry(): Promise<void> {
  const shutdown: unknown = Reflect.get(globalThis, telemetryShutdownKey);
  if (typeof shutdown === 'function') await Promise.resolve(shutdown()).catch(() => {});
}
