/**
 * Worker entry of the trusted modeling agent. The worker's isolate plays the TEE: the host
 * reaches the agent only by messages (protocol.ts); the agent's keys live in this isolate.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { TrustedAgent } from './trusted-agent.js';
import type { AgentInit, AgentRequest, AgentResponse } from '../protocol.js';

const init = workerData as AgentInit;
let agent: TrustedAgent | undefined;
let startError: string | undefined;
try {
  // The platform secret is read here, inside the agent, never passed through the host.
  const platformSecret = readFileSync(init.platformSecretPath);
  agent = new TrustedAgent({
    platformSecret,
    aggregate: Buffer.from(init.aggregate, 'hex'),
    controllerKey: new Uint8Array(Buffer.from(init.controllerKey, 'base64')),
    sealedState: init.sealedState,
  });
} catch (err) {
  startError = `agent did not start: ${err instanceof Error ? err.message : String(err)}`;
}

parentPort!.on('message', (req: AgentRequest) => {
  let res: AgentResponse;
  try {
    if (!agent) throw new Error(startError);
    res = { id: req.id, ok: true, result: agent.handle(req) };
  } catch (err) {
    res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(res);
});
