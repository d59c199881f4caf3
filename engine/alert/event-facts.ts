/**
 * What the alert formats can say about an event from its kernel line without the model: the file
 * path and the peer address, looked up in the CELL (tsem-model.md §1.4). Bad lines give nothing.
 */

export interface EventFacts {
  readonly path?: string;
  readonly address?: { readonly ip: string; readonly port: number };
}

function find(v: unknown, depth: number, out: { path?: string; ip?: string; port?: number }): void {
  if (depth > 6 || v === null || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === 'pathname' && typeof x === 'string' && out.path === undefined) out.path = x;
    else if (k === 'address' && typeof x === 'string' && out.ip === undefined) out.ip = x;
    else if (k === 'port' && out.port === undefined && /^\d+$/.test(String(x)))
      out.port = Number(x);
    else find(x, depth + 1, out);
  }
}

export function eventFacts(line: string): EventFacts {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    return {};
  }
  const out: { path?: string; ip?: string; port?: number } = {};
  const o = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (k !== 'event' && k !== 'COE') find(v, 0, out);
  return {
    ...(out.path !== undefined ? { path: out.path } : {}),
    ...(out.ip !== undefined ? { address: { ip: out.ip, port: out.port ?? 0 } } : {}),
  };
}
