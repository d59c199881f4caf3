/**
 * systemd readiness (Type=notify): `READY=1` once the engine serves, `STOPPING=1` when it stops,
 * and watchdog pings at half of $WATCHDOG_USEC. Datagrams to $NOTIFY_SOCKET go through the native
 * addon; without it, `systemd-notify` is run instead (the unit allows it with NotifyAccess=all).
 */
import { spawn } from 'node:child_process';
import { errorMessage } from '../common/errors.js';
import type { Log } from '../common/log.js';
import { loadNativeAddon } from '../native/addon.js';

export interface Notifier {
  ready(status: string): void;
  stopping(): void;
}

const NONE: Notifier = { ready: () => undefined, stopping: () => undefined };

export function systemdNotifier(log: Log, env: NodeJS.ProcessEnv = process.env): Notifier {
  const socket = env['NOTIFY_SOCKET'];
  if (!socket) return NONE;
  let send: (msg: string) => void;
  try {
    const addon = loadNativeAddon();
    send = (msg) => void addon.sendUnixDgram(socket, Buffer.from(msg));
  } catch (err) {
    log.warn(`systemd notification through systemd-notify: ${errorMessage(err)}`);
    send = (msg) => {
      const child = spawn('systemd-notify', [`--pid=${process.pid}`, ...msg.split('\n')], {
        stdio: 'ignore',
      });
      child.on('error', (e) => log.error(`systemd-notify failed: ${e.message}`));
    };
  }
  const safe = (msg: string) => {
    try {
      send(msg);
    } catch (err) {
      log.error(`systemd notification failed: ${errorMessage(err)}`);
    }
  };
  let watchdog: NodeJS.Timeout | undefined;
  const usec = Number(env['WATCHDOG_USEC'] ?? 0);
  return {
    ready(status) {
      safe(`READY=1\nSTATUS=${status.replace(/\n/g, ' ')}\nMAINPID=${process.pid}`);
      if (usec > 0) {
        watchdog = setInterval(() => safe('WATCHDOG=1'), Math.max(1, usec / 2000));
        watchdog.unref();
      }
    },
    stopping() {
      clearInterval(watchdog);
      safe('STOPPING=1');
    },
  };
}
