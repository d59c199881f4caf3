/** Opens a TPM from a `--tpm` spec and makes sure it accepts commands. */
import { TpmClient } from './client.js';
import { openDeviceTransport } from './device-transport.js';
import { openTcpTransport } from './tcp-transport.js';
import { parseTpmSpec, type TpmSpec } from './tpm-spec.js';

export async function openTpm(spec: string | TpmSpec): Promise<TpmClient> {
  const s = typeof spec === 'string' ? parseTpmSpec(spec) : spec;
  if (s.kind === 'device') {
    // Firmware started a hardware TPM; the kernel refuses or ignores a second Startup.
    return new TpmClient(await openDeviceTransport(s.path));
  }
  const client = new TpmClient(await openTcpTransport(s));
  try {
    await client.startup();
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return client;
}
