/**
 * Authenticated control messages: the controller (who may change the agent's model) signs
 * `{op, args, counter}` with its Ed25519 key; the agent accepts a message only with a counter
 * above the last one it accepted, so a recorded message cannot be replayed.
 */
import { CONTROL_TAG, type CanonicalValue, signingBytes } from '../engine/attest/canonical.js';
import { sign, verifySignature } from '../engine/attest/keys.js';

export type ControlArgs = { readonly [k: string]: CanonicalValue | undefined };

export interface SignedControl {
  readonly op: string;
  readonly args: ControlArgs;
  readonly counter: number;
  /** Ed25519 over CONTROL_TAG newline canonical({op, args, counter}), base64. */
  readonly signature: string;
}

function controlBytes(op: string, args: ControlArgs, counter: number): Buffer {
  return signingBytes(CONTROL_TAG, { op, args, counter });
}

export function signControl(
  op: string,
  args: ControlArgs,
  counter: number,
  controllerSecret: Uint8Array
): SignedControl {
  return {
    op,
    args,
    counter,
    signature: Buffer.from(sign(controlBytes(op, args, counter), controllerSecret)).toString(
      'base64'
    ),
  };
}

/** Checks a control message; returns why it is refused, or undefined when it is accepted. */
export function checkControl(
  msg: SignedControl,
  controllerKey: Uint8Array,
  lastCounter: number
): string | undefined {
  if (!Number.isSafeInteger(msg.counter)) return 'control message counter is not a whole number';
  if (
    !verifySignature(
      controlBytes(msg.op, msg.args, msg.counter),
      Buffer.from(msg.signature, 'base64'),
      controllerKey
    )
  ) {
    return `control message '${msg.op}' is not signed by the controller key`;
  }
  if (msg.counter <= lastCounter)
    return `control message '${msg.op}' counter ${msg.counter} is not above ${lastCounter} (replayed?)`;
  return undefined;
}
