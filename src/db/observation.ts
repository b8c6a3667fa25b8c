/**
 * What the layers below the transport report as they work, for whoever listens (the metrics,
 * src/metrics/): typed channels over node:diagnostics_channel, so that the reporting code
 * imports no metrics library, and publishing costs nothing while nobody subscribes.
 */
import { channel } from 'node:diagnostics_channel';
import type { RetryableKind } from './errors';

/** A named channel of one event type. */
export interface EventChannel<Event> {
  publish(event: Event): void;
  /** Starts listening; returns the function that stops. */
  subscribe(listener: (event: Event) => void): () => void;
}

/** A typed channel; `name` is unique to the event type (e.g. `cynod:db:transaction-retried`). */
export function eventChannel<Event>(name: string): EventChannel<Event> {
  const underlying = channel(name);
  return {
    publish: (event) => {
      if (underlying.hasSubscribers) underlying.publish(event);
    },
    subscribe: (listener) => {
      const untyped = (message: unknown) => listener(message as Event);
      underlying.subscribe(untyped);
      return () => void underlying.unsubscribe(untyped);
    },
  };
}

/** A transaction about to run again: the kind of error that aborted its attempt. */
export const transactionRetried = eventChannel<{ cause: RetryableKind }>('cynod:db:transaction-retried');
