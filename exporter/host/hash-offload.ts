/**
 * Large files are hashed off the event loop: one worker thread (started on first use, never
 * keeping the process alive while idle) takes the digests of files above LARGE_FILE_BYTES, so a
 * big file's open does not hold back the decisions on every other event.
 */
import { Worker } from 'node:worker_threads';
import type { HashAnswer, HashJob } from './hash-thread.js';

/** Files at least this large are hashed in the worker; smaller ones cost less than the hand-off. */
export const LARGE_FILE_BYTES = 1n << 20n;

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void }>();
/** Digests taken in the worker (for tests and stats). */
let offloaded = 0;

function failAll(err: Error): void {
  for (const w of waiting.values()) w.reject(err);
  waiting.clear();
  worker = undefined;
}

function start(): Worker {
  const w = new Worker(new URL('./hash-thread.js', import.meta.url));
  w.on('message', (a: HashAnswer) => {
    const job = waiting.get(a.id);
    if (!job) return;
    waiting.delete(a.id);
    if (waiting.size === 0) w.unref();
    if ('hex' in a) {
      offloaded++;
      job.resolve(a.hex);
    } else job.reject(Object.assign(new Error(a.error), { code: a.code }));
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', () => failAll(new Error('the hashing thread exited')));
  w.unref();
  return w;
}

/** HF(contents of fd) from offset 0, computed in the worker thread; the caller keeps fd open. */
export function hashFdOffLoop(fd: number, algorithm: string): Promise<string> {
  worker ??= start();
  const w = worker;
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.ref(); // a job in flight keeps the process alive until it is answered
    w.postMessage({ id, fd, algorithm } satisfies HashJob);
  });
}

export function offloadedDigests(): number {
  return offloaded;
}
