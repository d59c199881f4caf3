/**
 * Decodes the hex `saddr` of an audit SOCKADDR record into the TSEM `addr` CELL structure
 * (tsem-model.md §1.4): af_inet {port, address}, af_inet6 {port, flow, scope, address},
 * af_unix {address}, otherwise af_other {address: HF(sa_data)}. Pure.
 */
import type { JsonCell } from '../../proto/kernel-json.js';

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

export interface DecodedSockaddr {
  readonly family: number;
  readonly addr: JsonCell;
}

export type SockaddrResult =
  | { readonly ok: true; readonly value: DecodedSockaddr }
  | { readonly ok: false; readonly error: string };

/** `hash` is the namespace hash (hex digest of its input), used for unknown families. */
export function decodeSockaddr(saddrHex: string, hash: (data: Buffer) => string): SockaddrResult {
  if (!/^([0-9A-Fa-f]{2})+$/.test(saddrHex) || saddrHex.length < 4) {
    return {
      ok: false,
      error: `expected an even-length hex sockaddr of at least 2 bytes, got '${saddrHex.slice(0, 40)}'`,
    };
  }
  const b = Buffer.from(saddrHex, 'hex');
  // sa_family is in host order (little-endian on the architectures we audit); ports and IPv4
  // addresses are in network order.
  const family = b.readUInt16LE(0);
  switch (family) {
    case AF_INET:
      if (b.length < 8)
        return { ok: false, error: `AF_INET sockaddr needs 8 bytes, got ${b.length}` };
      return {
        ok: true,
        value: {
          family,
          addr: {
            af_inet: { port: String(b.readUInt16BE(2)), address: [...b.subarray(4, 8)].join('.') },
          },
        },
      };
    case AF_INET6:
      if (b.length < 24)
        return { ok: false, error: `AF_INET6 sockaddr needs 24 bytes, got ${b.length}` };
      return {
        ok: true,
        value: {
          family,
          addr: {
            af_inet6: {
              port: String(b.readUInt16BE(2)),
              flow: String(b.readUInt32BE(4)),
              scope: String(b.length >= 28 ? b.readUInt32LE(24) : 0),
              address: b.subarray(8, 24).toString('hex'),
            },
          },
        },
      };
    case AF_UNIX: {
      const path = b.subarray(2);
      // An abstract socket name starts with a NUL; shown with '@' as ss(8) does.
      const abstract = path.length > 0 && path[0] === 0;
      const body = abstract
        ? path.subarray(1)
        : path.subarray(0, path.indexOf(0) < 0 ? path.length : path.indexOf(0));
      return {
        ok: true,
        value: {
          family,
          addr: { af_unix: { address: (abstract ? '@' : '') + body.toString('utf8') } },
        },
      };
    }
    default:
      return { ok: true, value: { family, addr: { af_other: { address: hash(b.subarray(2)) } } } };
  }
}
