/**
 * Protocol limits both ends rely on (tsem.proto states them beside the fields they bound). The
 * server enforces them; clients check them before sending so a mistake is a usage error, not a
 * rejected stream.
 */

/** Events in one EventBatch, and non-empty lines in one LineBlock. */
export const MAX_BATCH_EVENTS = 4096;

/** Largest message the server receives or sends. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Largest message a client accepts (pages of trajectories and models can be big). */
export const MAX_CLIENT_RECEIVE_BYTES = 256 * 1024 * 1024;

/** SubscribeRequest.queue_size: the default and the most a subscriber may ask for. */
export const DEFAULT_SUBSCRIBER_QUEUE = 1024;
export const MAX_SUBSCRIBER_QUEUE = 65_536;

/** PageRequest.limit: the default and the most one page holds. */
export const DEFAULT_PAGE_ENTRIES = 1000;
export const MAX_PAGE_ENTRIES = 10_000;

/**
 * Per-identity limits the server enforces by default (EngineOptions.limits changes them): one
 * client cannot take the server's memory. Over a limit: RESOURCE_EXHAUSTED (a whole call) or an
 * ERROR verdict saying "resource exhausted" (one event).
 */
export const DEFAULT_LIMITS = {
  /** Bytes of one event (kernel line, or structured header, COE and CELL JSON). */
  maxEventBytes: 1024 * 1024,
  /** Namespaces one identity may have created by sending events (auto-creation). */
  maxNamespacesPerIdentity: 256,
  /** Namespaces on the server, however created. */
  maxNamespaces: 4096,
  /** Monitor subscriptions open at once per identity. */
  maxSubscribersPerIdentity: 16,
  /** Queue entries (SubscribeRequest.queue_size) summed over an identity's open subscriptions. */
  maxQueuedPerIdentity: 65_536,
} as const;

export type Limits = { readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/** PageRequest.max_bytes: a page stops before this much event text (default and most); one entry
 * always fits, so any trajectory is readable page by page. */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;
