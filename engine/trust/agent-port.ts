/**
 * The trusted modeling agent as the engine sees it. The engine declares what it needs here; the
 * agent's host side (tee-sim/host) implements it and is injected by the program's composition
 * root, so the engine never imports tee-sim.
 */
import type { Log } from '../../common/log.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { PipelineStage } from '../ns/stage.js';
import type { QuoteSlot } from './tpm-serial.js';

/** Signs an attestation report over a namespace (the Attest RPC). */
export interface Attester {
  report(ns: NamespaceModel, nonce: Buffer): Promise<string>;
}

/** What the engine lends the agent: the platform's aggregate and turns on its TPM. */
export interface AgentContext {
  /** The hardware aggregate for a namespace digest (§2.7); zeros without a TPM. */
  aggregate(digest: string): Buffer;
  /** Reserves the next TPM turn for a quote; absent without a TPM. */
  readonly reserveQuote?: () => QuoteSlot;
  /** The model PCR: why it stopped covering every root point, and extends pending now. */
  readonly modelPcr?: { readonly failure: string | undefined; flush(): Promise<void> };
  readonly log: Log;
}

/** A running agent: the stage that mirrors every namespace into it and the signer of reports. */
export interface AttestationAgent {
  readonly stage: PipelineStage;
  readonly attester: Attester;
  /** The agent's Ed25519 public key: what verifiers pin (`tsem attest verify --pubkey`). */
  readonly publicKey: Uint8Array;
  /** One line for the start-up log. */
  readonly describe: string;
  close(): Promise<void>;
}

export type AgentFactory = (context: AgentContext) => Promise<AttestationAgent>;
