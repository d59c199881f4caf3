/**
 * The launcher's Control.RunCanister call: the route of the canister's cgroup lives as long as the
 * call. When the call breaks while the workload runs (the engine restarted), the canister is
 * registered again every second until it works, so the workload's later events are routed again.
 */
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { CanisterFinish } from '../../proto/gen/tsem/v1/CanisterFinish.js';
import type { CanisterFinished__Output } from '../../proto/gen/tsem/v1/CanisterFinished.js';
import type { CanisterLaunched } from '../../proto/gen/tsem/v1/CanisterLaunched.js';
import type { CanisterStart } from '../../proto/gen/tsem/v1/CanisterStart.js';
import type { CanisterStarted__Output } from '../../proto/gen/tsem/v1/CanisterStarted.js';
import type { RunCanisterRequest } from '../../proto/gen/tsem/v1/RunCanisterRequest.js';
import type { RunCanisterResponse__Output } from '../../proto/gen/tsem/v1/RunCanisterResponse.js';
import { ClientError, describeCallError, type TsemClients } from '../client.js';

type Call = ClientDuplexStream<RunCanisterRequest, RunCanisterResponse__Output>;

const RETRY_MS = 1000;
/** finish() waits this long for a lost registration to come back. */
const FINISH_WAIT_MS = 10_000;

/** Opens the call and waits for `started`. */
function register(
  c: TsemClients,
  start: CanisterStart
): Promise<{ call: Call; started: CanisterStarted__Output }> {
  const call = c.control.RunCanister(c.metadata);
  return new Promise((resolve, reject) => {
    const failed = (why: string, cause?: unknown) => {
      call.removeAllListeners();
      call.on('error', () => undefined);
      call.cancel();
      reject(new ClientError(why, { cause }));
    };
    call.on('data', (m: RunCanisterResponse__Output) => {
      call.removeAllListeners();
      if (m.started) resolve({ call, started: m.started });
      else failed(`${c.address} answered the canister's start with '${m.msg ?? 'nothing'}'`);
    });
    call.on('error', (e) => failed(describeCallError(e, c.address, c.hasToken), e));
    call.on('end', () => failed(`${c.address} closed the canister call before it started`));
    call.write({ start });
  });
}

export class CanisterSession {
  private call: Call | undefined;
  private finishing = false;
  private closed = false;
  /** Wakes whoever waits for a registration (finish, the retry loop); close() wakes them all. */
  private waiters = new Set<() => void>();
  /** The workload's first process, sent again with a registration made anew. */
  private launch: CanisterLaunched | undefined;

  private constructor(
    private readonly c: TsemClients,
    private readonly start: CanisterStart,
    readonly started: CanisterStarted__Output,
    call: Call,
    private readonly warn: (m: string) => void
  ) {
    this.watch(call);
  }

  static async open(
    c: TsemClients,
    start: CanisterStart,
    warn: (m: string) => void
  ): Promise<CanisterSession> {
    const { call, started } = await register(c, start);
    return new CanisterSession(c, start, started, call, warn);
  }

  /** Tells the engine the workload's first process (the creator of its Landlock domain). */
  launched(l: CanisterLaunched): void {
    this.launch = l;
    if (!this.finishing && !this.closed) this.call?.write({ launched: l });
  }

  /** Ends the canister: the engine waits for its last events, then answers with its figures. */
  async finish(f: CanisterFinish): Promise<CanisterFinished__Output> {
    this.finishing = true;
    const deadline = Date.now() + FINISH_WAIT_MS;
    while (!this.call && !this.closed && Date.now() < deadline) await this.sleep(RETRY_MS);
    const call = this.call;
    if (!call) throw new ClientError(`the canister's registration with ${this.c.address} was lost`);
    call.removeAllListeners();
    return new Promise((resolve, reject) => {
      call.on('data', (m: RunCanisterResponse__Output) => {
        if (m.finished) resolve(m.finished);
      });
      call.on('error', (e) =>
        reject(new ClientError(describeCallError(e, this.c.address, this.c.hasToken), { cause: e }))
      );
      call.on('end', () =>
        reject(new ClientError(`${this.c.address} ended the canister call before it finished`))
      );
      call.write({ finish: f });
    });
  }

  /** Drops the call: the engine finishes the canister without saving anything. */
  close(): void {
    this.closed = true;
    const call = this.call;
    this.call = undefined;
    if (call) {
      call.removeAllListeners();
      call.on('error', () => undefined);
      call.cancel();
    }
    this.wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private watch(call: Call): void {
    this.call = call;
    const lost = (why: string) => {
      if (this.call !== call || this.finishing || this.closed) return;
      this.call = undefined;
      call.removeAllListeners();
      call.on('error', () => undefined);
      this.warn(`the canister's registration was lost (${why}); registering it again`);
      void this.retry();
    };
    call.on('error', (e) => lost(describeCallError(e, this.c.address, this.c.hasToken)));
    call.on('end', () => lost(`${this.c.address} ended the call`));
  }

  private async retry(): Promise<void> {
    while (!this.closed && !this.call) {
      await this.sleep(RETRY_MS);
      if (this.closed) return;
      try {
        const { call } = await register(this.c, this.start);
        if (this.closed) {
          call.cancel();
          return;
        }
        this.watch(call);
        if (this.launch) call.write({ launched: this.launch });
        this.warn('the canister is registered again');
        this.wake();
      } catch {
        // still unreachable: try again
      }
    }
  }
}
