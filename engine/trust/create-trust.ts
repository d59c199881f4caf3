/**
 * What makes the engine's model trustworthy to a remote party: the hardware aggregate from the
 * TPM, the root namespace's coefficients in the model PCR, the host IMA log in PCR 10, and, when
 * the composition root injects one, the trusted modeling agent (tee-sim) that mirrors every
 * namespace and signs reports. The engine knows the agent only through agent-port.ts.
 */
import { EngineError } from '../../common/errors.js';
import type { Log } from '../../common/log.js';
import type { NamespaceModel } from '../ns/namespace-model.js';
import type { PipelineStage } from '../ns/stage.js';
import type { TemplateEntry } from '../ima/template-entry.js';
import { DEFAULT_MODEL_PCR } from '../tpm/aggregate.js';
import type { AttestationKey, TpmClient } from '../tpm/client.js';
import { PCR_COUNT } from '../tpm/constants.js';
import { openTpm } from '../tpm/open-tpm.js';
import type { AgentFactory, Attester } from './agent-port.js';
import { ImaPcr } from './ima-pcr.js';
import { ModelPcr } from './model-pcr.js';
import { createPlatformAggregate, readAggregatePcrs } from './platform-aggregate.js';
import { TpmSerial } from './tpm-serial.js';
import type { AttestationKeys } from './attestation-keys.js';
import { TpmKeys } from './tpm-keys.js';
import { checkAkHandle, DEFAULT_AK_HANDLE } from '../tpm/attestation-key.js';

export const DEFAULT_ROOT_NAMESPACE = 'root';
/** The kernel's IMA PCR (CONFIG_IMA_MEASURE_PCR_IDX). */
const IMA_PCR = 10;
/** The digest the start-up line shows the aggregate in. */
const DESCRIBE_DIGEST = 'sha256';

export interface TrustOptions {
  /** `swtpm:HOST:PORT`, `mssim:HOST:PORT` or a device such as /dev/tpmrm0; none: zero aggregate. */
  readonly tpm?: string;
  /** The namespace playing the kernel's root namespace (id 0): its new points go to the model PCR. */
  readonly rootNamespace?: string;
  /** CONFIG_SECURITY_TSEM_ROOT_MODEL_PCR (§2.6), default 11. */
  readonly modelPcr?: number;
  /** Starts the trusted modeling agent; without it the Attest RPC is unavailable. */
  readonly agent?: AgentFactory;
  /** The root (host) IMA log's entries written to the store: with a TPM, each new one is
   * extended into its PCR (10), after it was written. */
  readonly imaEntries?: () => readonly TemplateEntry[];
  /** The persistent handle of the attestation key (default DEFAULT_AK_HANDLE, 0x81010010). */
  readonly akHandle?: number;
  readonly log: Log;
}

export interface Trust {
  /** The hardware aggregate for a namespace digest (§2.7); zeros without a TPM. */
  aggregate(digest: string): Buffer;
  /** Model and IMA PCR extension (with a TPM) and the agent mirror, in this order. */
  readonly stages: PipelineStage[];
  /** Undefined when the agent is off. */
  readonly attester?: Attester;
  /** The agent's Ed25519 public key: what verifiers pin (`tsem attest verify --pubkey`). */
  readonly agentPublicKey?: Uint8Array;
  /** The TPM's attestation and endorsement keys; undefined without a TPM. */
  readonly keys?: AttestationKeys;
  /** One line for the start-up log. */
  readonly describe: string;
  /** The host IMA log is restored: extend into PCR 10 what the TPM lacks of it. */
  imaRestored(): Promise<void>;
  /** The namespaces are restored: extend into the model PCR what the TPM lacks of the root's points. */
  modelRestored(namespace: (name: string) => NamespaceModel | undefined): Promise<void>;
  close(): Promise<void>;
}

function checkPcr(pcr: number): number {
  if (!Number.isInteger(pcr) || pcr < 0 || pcr >= PCR_COUNT) {
    throw new EngineError(
      'TSEM_INVALID_ARGUMENT',
      `model PCR: expected an index 0-${PCR_COUNT - 1}, got ${pcr}`
    );
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

    const akHandle = checkAkHandle(opts.akHandle ?? DEFAULT_AK_HANDLE);
    // The serial needs the keys' AK for its quotes, the keys need the serial for their turns.
    const serial: TpmSerial | undefined = tpm
      ? new TpmSerial(tpm, (t): Promise<AttestationKey> => keys!.akIn(t))
      : undefined;
    const keys: TpmKeys | undefined = serial ? new TpmKeys(serial, akHandle) : undefined;
    const modelPcr = serial ? new ModelPcr(serial, rootNamespace, pcr, banks, opts.log) : undefined;
    const imaPcr =
      serial && opts.imaEntries
        ? new ImaPcr(serial, opts.imaEntries, imaBanks, opts.log)
        : undefined;
    if (imaPcr) cleanup.push(() => imaPcr.flush());
    const imaRestored = () => imaPcr?.resume() ?? Promise.resolve();
    const modelRestored = (get: (name: string) => NamespaceModel | undefined) =>
      modelPcr?.resume(get(rootNamespace)) ?? Promise.resolve();
    const tpmStages = [modelPcr?.stage, imaPcr?.stage].filter(
      (h): h is PipelineStage => h !== undefined
    );
    const where = tpm
      ? `TPM ${tpm.description}: aggregate ${aggregate(DESCRIBE_DIGEST).toString('hex')}, namespace '${rootNamespace}' extends PCR ${pcr}`
      : 'no TPM: aggregate zero, no quotes';
    if (!opts.agent) {
      return {
        aggregate,
        stages: tpmStages,
        ...(keys ? { keys } : {}),
        describe: `${where}; no modeling agent (attestation off)`,
        imaRestored,
        modelRestored,
        close,
      };
    }
    // Reports will be quoted: make sure of the AK now, so a TPM that refuses it fails the start.
    let akLine = '';
    if (keys) {
      const ak = await keys.attestationKey();
      akLine = `; attestation key at 0x${ak.handle.toString(16)} (${ak.created ? 'created' : 'kept'}), name ${ak.name.toString('hex')}`;
    }
    const agent = await opts.agent({
      aggregate,
      ...(serial ? { reserveQuote: () => serial.reserveQuote() } : {}),
      ...(modelPcr
        ? {
            modelPcr: {
              get failure() {
                return modelPcr.failure;
              },
              flush: () => modelPcr.flush(),
            },
          }
        : {}),
      log: opts.log,
    });
    cleanup.push(() => agent.close());
    return {
      aggregate,
      stages: [...tpmStages, agent.stage],
      attester: agent.attester,
      agentPublicKey: agent.publicKey,
      ...(keys ? { keys } : {}),
      describe: `${where}${akLine}; ${agent.describe}`,
      imaRestored,
      modelRestored,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
