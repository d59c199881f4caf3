/**
 * The running kernel's Landlock ABI version (native/landlock.cc), or why there is none, in words
 * a person can act on.
 */
import { loadNativeAddon } from './addon.js';

export type LandlockProbe =
  { readonly ok: true; readonly abi: number } | { readonly ok: false; readonly reason: string };

const ENOSYS = 38;
const EOPNOTSUPP = 95;

export function probeLandlock(): LandlockProbe {
  let v: number;
  try {
    v = loadNativeAddon().landlockAbi();
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  if (v > 0) return { ok: true, abi: v };
  if (v === -ENOSYS) return { ok: false, reason: 'this kernel was built without Landlock' };
  if (v === -EOPNOTSUPP)
    return {
      ok: false,
      reason: "Landlock is built in but not enabled (add 'landlock' to the lsm= boot parameter)",
    };
  return { ok: false, reason: `landlock_create_ruleset failed with errno ${-v}` };
}
