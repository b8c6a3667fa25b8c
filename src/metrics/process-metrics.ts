/**
 * Node.js's default process metrics (CPU, memory, event-loop lag, GC, handles), once per
 * process: they describe the process, not a server, and their collectors (a GC observer, an
 * event-loop delay monitor) cannot be stopped, so every server of the process shares them.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/** The process's registry of default metrics, made on first use. */
export function processRegistry(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
