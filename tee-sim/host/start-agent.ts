/**
 * Starts the trusted modeling agent in its worker and gives the engine what agent-port.ts asks
 * for: the mirror stage and the report signer. The controller key stays here, in the host: only
 * it may change the agent's models.
 *
 *   const trust = await createTrust({ tpm, agent: createModelingAgent({ tee: true }), log });
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../engine/attest/keys.js';
import type { AgentFactory } from '../../engine/trust/agent-port.js';
import { createAgentAttester } from './agent-attester.js';
import { Controller, ModelingAgent } from './agent-client.js';
import { AGENT_DIGEST, AgentMirror } from './agent-mirror.js';

export interface ModelingAgentOptions {
  /** The simulated platform's secret (≥ 16 bytes) binding the agent's sealed state; default: a
   * fresh random one for this process only. */
  readonly platformSecretPath?: string;
  /** Said in the start-up line: the worker plays a TEE. */
  readonly tee?: boolean;
}

export function createModelingAgent(opts: ModelingAgentOptions = {}): AgentFactory {
  return async (ctx) => {
    const cleanup: (() => Promise<void> | void)[] = [];
    const close = async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    };
    try {
      let secretPath = opts.platformSecretPath;
      if (secretPath === undefined) {
        // Sealed blobs made with this secret open only in this process: there is no platform to bind to.
        const dir = mkdtempSync(join(tmpdir(), 'tsem-platform-'));
        cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
        secretPath = join(dir, 'platform.secret');
        writeFileSync(secretPath, randomBytes(32), { mode: 0o600 });
      }
      const controllerKeys = generateKeyPair();
      const platformAggregate = ctx.aggregate(AGENT_DIGEST);
      const agent = await ModelingAgent.start({
        platformSecretPath: secretPath,
        aggregate: platformAggregate.toString('hex'),
        controllerKey: Buffer.from(controllerKeys.publicKey).toString('base64'),
      });
      cleanup.push(() => agent.close());
      const controller = new Controller(controllerKeys.secretKey, (await agent.hello()).counter);
      const mirror = new AgentMirror(agent, controller, platformAggregate, ctx.log);
      const key = Buffer.from(agent.publicKey).toString('base64');
      return {
        stage: mirror.stage,
        attester: createAgentAttester({
          agent,
          mirror,
          reserveQuote: ctx.reserveQuote,
          modelPcr: ctx.modelPcr,
        }),
        publicKey: agent.publicKey,
        describe: `modeling agent in a worker thread${opts.tee ? ' (simulated TEE)' : ''}, key ${key}`,
        close,
      };
    } catch (err) {
      await close();
      throw err;
    }
  };
}
