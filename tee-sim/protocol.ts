/**
 * The agent's narrow message interface (host <-> worker). Only these messages exist: events in,
 * verdicts, status and signed reports out, signed control messages to change the model or to
 * seal/unseal its state. No message returns the signing key.
 */
import type { QuoteEvidence } from '../engine/tpm/quote-verify.js';
import type { SignedControl } from './control-auth.js';

export type AgentRequest =
  | { readonly id: number; readonly type: 'hello' }
  | { readonly id: number; readonly type: 'event'; readonly ns: string; readonly line: Uint8Array }
  | { readonly id: number; readonly type: 'events'; readonly runs: readonly EventRun[] }
  | { readonly id: number; readonly type: 'status'; readonly ns: string }
  | {
      readonly id: number;
      readonly type: 'report-begin';
      readonly ns: string;
      readonly nonce: string;
    }
  | {
      readonly id: number;
      readonly type: 'report-finish';
      readonly ticket: number;
      readonly quote?: QuoteEvidence;
    }
  | { readonly id: number; readonly type: 'control'; readonly msg: SignedControl };

export type AgentResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** workerData: nothing secret crosses here except the path of the platform secret file. */
export interface AgentInit {
  readonly platformSecretPath: string;
  /** Hardware aggregate (hex): seeds every namespace and binds the sealing key. */
  readonly aggregate: string;
  /** The controller's Ed25519 public key (base64). */
  readonly controllerKey: string;
  /** A sealed state to resume from (keys, counter, namespaces). */
  readonly sealedState?: Uint8Array;
}

export interface HelloResult {
  readonly publicKey: string;
  readonly counter: number;
  readonly namespaces: string[];
}

/** A verdict with binary fields as hex (structured clone would turn Buffers into plain arrays). */
export interface VerdictJson {
  readonly kind: string;
  readonly action: 'allow' | 'deny';
  readonly coefficient?: string;
  readonly taskId: string;
  readonly pTaskId: string;
  readonly trust: string;
  readonly seq: number;
}

/** Most events in one `events` message: bounds the worker's turn and the size of its answer. */
export const MAX_EVENT_BATCH = 4096;

/** Consecutive events of one namespace in an `events` message. A line is UTF-8 text or its bytes. */
export interface EventRun {
  readonly ns: string;
  /** The task origin the engine keyed these events' tasks by (absent: none). */
  readonly origin?: string;
  readonly lines: readonly (string | Uint8Array)[];
}

/**
 * One event's answer in an `events` message, in the order sent: the verdict's kind and coefficient
 * (hex), the kind of a non-event record, or why the agent refused the event. A refused event does
 * not stop the ones after it, just as with separate `event` messages.
 */
export type BatchVerdict =
  | { readonly kind: string; readonly coefficient?: string }
  | { readonly record: 'aggregate' | 'log' }
  | { readonly error: string };

export type EventResult =
  | { readonly record: 'event'; readonly verdict: VerdictJson }
  | { readonly record: 'aggregate' | 'log' };

export interface StatusResult {
  readonly namespace: string;
  readonly mode: string;
  readonly measurement: string;
  readonly state: string;
  readonly points: number;
  readonly forensics: number;
  readonly events: number;
}
