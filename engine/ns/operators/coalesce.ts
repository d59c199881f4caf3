import { type OperatorFunction, Observable } from 'rxjs';

/**
 * Runs `work` over everything queued while the previous run was busy, so that a namespace that
 * falls behind catches up with fewer, larger batches (one persist each) instead of many small ones.
 * Order is kept; at most `maxBatch` items per run, and items whose `weight` adds up to at most
 * `maxWeight` (one item always goes, whatever its weight), so that one run never holds the event
 * loop for long; a failing run is reported through `onError` and does not end the stream (one bad
 * batch must not stop its namespace).
 *
 * @example source.pipe(coalesce((items) => persistAll(items), 64, log))
 */
export function coalesce<T, R>(
  work: (items: T[]) => Promise<R>,
  maxBatch: number,
  onError: (err: unknown, items: T[]) => void,
  weight: (item: T) => number = () => 1,
  maxWeight = Infinity
): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const queue: T[] = [];
      let busy = false;
      let completed = false;
      const drain = async (): Promise<void> => {
        busy = true;
        while (queue.length > 0) {
          let n = 1;
          for (let w = weight(queue[0]!); n < queue.length && n < maxBatch; n++) {
            w += weight(queue[n]!);
            if (w > maxWeight) break;
          }
          const items = queue.splice(0, n);
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
