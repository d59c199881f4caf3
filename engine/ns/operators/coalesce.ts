import { type OperatorFunction, Observable } from 'rxjs';

/**
 * Runs `work` over everything queued while the previous run was busy, so that a namespace that
 * falls behind catches up with fewer, larger batches (one persist each) instead of many small ones.
 * Order is kept; at most `maxBatch` items per run; a failing run is reported through `onError` and
 * does not end the stream (one bad batch must not stop its namespace).
 *
 * @example source.pipe(coalesce((items) => persistAll(items), 64, log))
 */
export function coalesce<T, R>(
  work: (items: T[]) => Promise<R>,
  maxBatch: number,
  onError: (err: unknown, items: T[]) => void
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const queue: T[] = [];
      let busy = false;
      let completed = false;
      const drain = async (): Promise<void> => {
        busy = true;
        while (queue.length > 0) {
          const items = queue.splice(0, maxBatch);
          try {
            subscriber.next(await work(items));
          } catch (err) {
            onError(err, items);
          }
        }
        busy = false;
        if (completed) subscriber.complete();
      };
      const sub = source.subscribe({
        next(v) {
          queue.push(v);
          if (!busy) void drain();
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          completed = true;
          if (!busy) subscriber.complete();
        },
      });
      return () => sub.unsubscribe();
    });
}
