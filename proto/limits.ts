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

/** PageRequest.max_bytes: a page stops before this much event text (default and most); one entry
 * always fits, so any trajectory is readable page by page. */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;
