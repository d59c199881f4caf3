/**
 * What makes the engine's model trustworthy to a remote party, wired for startEngine(): the
 * hardware aggregate from the TPM, the root namespace's coefficients in the model PCR, and the
 * trusted modeling agent (tee-sim, in its worker) that mirrors every namespace and signs reports.
 *
 *   const trust = await createTrust({ tpm: 'swtpm:127.0.0.1:2321', log });
 *   const engine = await startEngine({ aggregate: trust.aggregate, stages: trust.stages, attester: trust.attester });
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../attest/keys.js';
import { EngineError } from '../../common/errors.js';
import type { PipelineStage } from '../ns/stage.js';
import type { Attester } from '../server/control-service.js';
import { DEFAULT_MODEL_PCR } from '../tpm/aggregate.js';
import type { TpmClient } from '../tpm/client.js';
import { PCR_COUNT } from '../tpm/constants.js';
import { openTpm } from '../tpm/open-tpm.js';
import { Controller, ModelingAgent } from '../../tee-sim/host/agent-client.js';
import { createAgentAttester } from '../../tee-sim/host/agent-attester.js';
import { AGENT_DIGEST, AgentMirror } from '../../tee-sim/host/agent-mirror.js';
import type { TemplateEntry } from '../ima/template-entry.js';
import { ImaPcr } from './ima-pcr.js';
import { ModelPcr } from './model-pcr.js';
import { createPlatformAggregate, readAggregatePcrs } from './platform-aggregate.js';
import { TpmSerial } from './tpm-serial.js';

export const DEFAULT_ROOT_NAMESPACE = 'root';
/** The kernel's IMA PCR (CONFIG_IMA_MEASURE_PCR_IDX). */
const IMA_PCR = 10;

export interface TrustOptions {
  /** `swtpm:HOST:PORT`, `mssim:HOST:PORT` or a device such as /dev/tpmrm0; none: zero aggregate. */
  readonly tpm?: string;
  /** The namespace playing the kernel's root namespace (id 0): its new points go to the model PCR. */
  readonly rootNamespace?: string;
  /** CONFIG_SECURITY_TSEM_ROOT_MODEL_PCR (§2.6), default 11. */
  readonly modelPcr?: number;
  /** Recorded in `describe`. The agent always runs in its worker (see engine/trust/README.md). */
  readonly tee?: boolean;
  /** Run the trusted modeling agent that mirrors every namespace and signs reports (default true).
   * It costs batched worker messages (the agent models every event again); without it the Attest RPC is unavailable. */
  readonly agent?: boolean;
  /** The simulated platform's secret (≥ 16 bytes) binding the agent's sealed state; default: a
   * fresh random one for this process only. */
  readonly platformSecretPath?: string;
  /** The root (host) IMA log's entries: with a TPM, each new one is extended into its PCR (10). */
  readonly imaEntries?: () => readonly TemplateEntry[];
  readonly log: (m: string) => void;
}

export interface Trust {
  /** The hardware aggregate for a namespace digest (§2.7); zeros without a TPM. */
  aggregate(digest: string): Buffer;
  /** Model PCR extension (with a TPM) and the agent mirror, for startEngine({ stages }). */
  readonly stages: PipelineStage[];
  /** Undefined when the agent is off. */
  readonly attester?: Attester;
  /** The agent's Ed25519 public key: what verifiers pin (`tsem attest verify --pubkey`). */
  readonly agentPublicKey?: Uint8Array;
  /** One line for the start-up log. */
  readonly describe: string;
  /** The host IMA log was restored with `count` entries already extended into PCR 10. */
  imaRestored(count: number): void;
  close(): Promise<void>;
}

function checkPcr(pcr: number): number {
  if (!Number.isInteger(pcr) || pcr < 0 || pcr >= PCR_COUNT) {
    throw new EngineError('TSEM_INVALID_ARGUMENT', `model PCR: expected an index 0-${PCR_COUNT - 1}, got ${pcr}`);
  }
  return pcr;
}

export async function createTrust(opts: TrustOptions): Promise<Trust> {
  const rootNamespace = opts.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  const pcr = checkPcr(opts.modelPcr ?? DEFAULT_MODEL_PCR);
  const cleanup: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    let tpm: TpmClient | undefined;
    let pcrs: Buffer[] | undefined;
    let banks: number[] = [];
    let imaBanks: number[] = [];
    if (opts.tpm) {
      const opened = await openTpm(opts.tpm);
      tpm = opened;
      cleanup.push(() => opened.close());
      pcrs = await readAggregatePcrs(opened);
      const allocated = await opened.pcrBanks();
      banks = allocated.filter((s) => s.pcrs.includes(pcr)).map((s) => s.hashAlg);
      imaBanks = allocated.filter((s) => s.pcrs.includes(IMA_PCR)).map((s) => s.hashAlg);
    } else {
      opts.log('no TPM configured: hardware aggregate is zero');
    }
    const aggregate = createPlatformAggregate(pcrs);

    const serial = tpm ? new TpmSerial(tpm) : undefined;
    const modelPcr = serial ? new ModelPcr(serial, rootNamespace, pcr, banks, opts.log) : undefined;
    // Runs before the TPM is closed: root coefficients noted but not yet extended still go in.
    if (modelPcr) cleanup.push(() => modelPcr.flush());
    const imaPcr = serial && opts.imaEntries ? new ImaPcr(serial, opts.imaEntries, imaBanks, opts.log) : undefined;
    if (imaPcr) cleanup.push(() => imaPcr.flush());
    const imaRestored = (count: number) => imaPcr?.skipRestored(count);
    const tpmStages = [modelPcr?.stage, imaPcr?.stage].filter((h): h is PipelineStage => h !== undefined);
    const where = tpm
      ? `TPM ${tpm.description}: aggregate ${aggregate(AGENT_DIGEST).toString('hex')}, namespace '${rootNamespace}' extends PCR ${pcr}`
      : 'no TPM: aggregate zero, no quotes';
    if (opts.agent === false) {
      return { aggregate, stages: tpmStages, describe: `${where}; no modeling agent (attestation off)`, imaRestored, close };
    }

    let secretPath = opts.platformSecretPath;
    if (secretPath === undefined) {
      // Sealed blobs made with this secret open only in this process: there is no platform to bind to.
      const dir = mkdtempSync(join(tmpdir(), 'tsem-platform-'));
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
      secretPath = join(dir, 'platform.secret');
      writeFileSync(secretPath, randomBytes(32), { mode: 0o600 });
    }
    // The controller key stays here, in the host: only it may change the agent's models.
    const controllerKeys = generateKeyPair();
    const agent = await ModelingAgent.start({
      platformSecretPath: secretPath,
      aggregate: aggregate(AGENT_DIGEST).toString('hex'),
      controllerKey: Buffer.from(controllerKeys.publicKey).toString('base64'),
    });
    cleanup.push(() => agent.close());
    const controller = new Controller(controllerKeys.secretKey, (await agent.hello()).counter);
    const mirror = new AgentMirror(agent, controller, aggregate(AGENT_DIGEST), opts.log);
    const agentKey = Buffer.from(agent.publicKey).toString('base64');
    return {
      aggregate,
      stages: [...tpmStages, mirror.stage],
      attester: createAgentAttester({ agent, mirror, serial, modelPcr }),
      agentPublicKey: agent.publicKey,
      describe: `${where}; modeling agent in a worker thread${opts.tee ? ' (simulated TEE)' : ''}, key ${agentKey}`,
      imaRestored,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
