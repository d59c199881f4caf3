/**
 * Ingest: an exporter's bidirectional stream. Batches are split by namespace, run through the
 * pipeline (ordered per namespace), and answered in order once persisted. A stream with too many
 * unanswered batches is paused (bounded memory); garbage ends that stream only. Numbered batches
 * (ExporterHello.exporter_id and session, EventBatch.first_seq) are applied exactly once; the
 * source drops a batch reports go to the subscribers. An event whose host and cgroup id a running
 * canister registered goes to the canister's namespace. A batch that asks for early verdicts gets
 * them in a BatchVerdicts as soon as they exist (decided from memory), ahead of its BatchResult
 * (the acknowledgement, once persisted); with durability `strict` the BatchResult alone answers.
 * An exporter with a verdict cache (hello.verdict_cache) gets the cacheable bit, the epoch each
 * batch was decided under, and a DecisionsChanged whenever an allow may not hold any more.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { BatchResult } from '../../proto/gen/tsem/v1/BatchResult.js';
import type { BatchVerdicts } from '../../proto/gen/tsem/v1/BatchVerdicts.js';
import type { Event__Output } from '../../proto/gen/tsem/v1/Event.js';
import type { EventBatch__Output } from '../../proto/gen/tsem/v1/EventBatch.js';
import type { IngestRequest__Output } from '../../proto/gen/tsem/v1/IngestRequest.js';
import type { IngestResponse } from '../../proto/gen/tsem/v1/IngestResponse.js';
import type { DecisionsChanged } from '../../proto/gen/tsem/v1/DecisionsChanged.js';
import type { Verdict as WireVerdict } from '../../proto/gen/tsem/v1/Verdict.js';
import type { IngestHandlers } from '../../proto/gen/tsem/v1/Ingest.js';
import type { CanisterRoutes } from '../canister/routes.js';
import { cacheableVerdict, type Durability } from '../feed-source.js';
import type { DecisionFeed } from './decision-feed.js';
import type {
  Outcome,
  Pipeline,
  IncomingEvent,
  EventOrigin,
  IngestPosition,
} from '../ns/pipeline.js';
import { type AuthConfig, authorize, authorizeHost, type Identity } from './auth.js';
import { callerIdentity } from './caller.js';
import { invalid, toStatus } from './to-status.js';
import { eventFromWire, outcomeToWire, packOutcomes } from './wire.js';
import { splitLines } from '../ns/replay.js';
import { DEFAULT_LIMITS, MAX_BATCH_EVENTS } from '../../proto/limits.js';
import { EngineError } from '../../common/errors.js';

/** Unanswered batches per stream before reading pauses. */
const MAX_IN_FLIGHT = 16;
/** Namespaces a verdict-cache stream's changes are filtered by; beyond, it hears every change. */
const MAX_SENT_TO = 1024;

type Call = ServerDuplexStream<IngestRequest__Output, IngestResponse>;

/** Bytes an event occupies as received: its kernel line, or its structured strings and CELL JSON. */
function eventBytes(e: Event__Output): number {
  if (e.kernel_json) return e.kernel_json.length;
  const s = e.structured;
  if (!s) return 0;
  let n = s.cell_json.length + s.file_digest.length;
  for (const part of [s.header, s.coe])
    if (part) for (const v of Object.values(part)) if (typeof v === 'string') n += v.length;
  return n;
}

function tooBig(bytes: number, max: number): EngineError {
  return new EngineError(
    'TSEM_RESOURCE_EXHAUSTED',
    `resource exhausted: an event of ${bytes} bytes, more than the limit of ${max} bytes per event`
  );
}

/** A batch's verdicts or packed verdicts, as BatchResult and BatchVerdicts carry them. */
type Answer = Pick<BatchResult, 'verdicts' | 'packed' | 'decided_epoch'>;
/** Receives a batch's verdicts as soon as they exist (before its write). */
type Early = (answer: Answer) => void;

/** Receives the drops an exporter's source reports (counts since its previous report, by cause). */
export type SourceDropSink = (origin: EventOrigin, counts: Record<string, number>) => void;

/** The exporter's numbering of a batch, or undefined when it does not number them. */
interface Numbering {
  readonly exporter: string;
  readonly session: string;
  readonly first: number;
}

export function createIngestService(
  pipeline: Pipeline,
  auth: AuthConfig,
  log: (msg: string) => void,
  maxEventBytes: number = DEFAULT_LIMITS.maxEventBytes,
  routes?: CanisterRoutes,
  onDrops: SourceDropSink = () => undefined,
  durability: Durability = 'decided',
  decisions?: DecisionFeed
): IngestHandlers {
  return {
    Stream(call: Call) {
      let identity: Identity;
      try {
        identity = callerIdentity(auth, call);
        authorize(identity, 'exporter');
      } catch (err) {
        call.emit('error', toStatus(err));
        return;
      }
      // Tasks are keyed by the sending identity and the host it speaks for (pipeline taskOrigin).
      const origin = { host: '', exporter: 'unknown', identity: identity.name };
      let exporterId = '';
      let session = '';
      let chain: Promise<void> = Promise.resolve();
      let inFlight = 0;
      let ended = false;
      let failed = false;
      // The exporter's verdict cache (hello.verdict_cache): told of each change, never behind a
      // verdict decided after it. A push the stream cannot take now is owed (the newest only) and
      // written before the next verdicts or on drain.
      let cache: DecisionFeed | undefined;
      let owed: DecisionsChanged | undefined;
      // The namespaces this stream's events went to: a change elsewhere cannot undo its allows.
      const sentTo = new Set<string>();
      let unlisten = () => undefined as void;
      const payOwed = (force: boolean) => {
        if (!owed || failed || (!force && call.writableNeedDrain)) return;
        const m = owed;
        owed = undefined;
        call.write({ decisions_changed: m });
      };
      const write = (m: IngestResponse) => {
        payOwed(true);
        call.write(m);
      };
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        unlisten();
        log(`ingest: stream from ${call.getPeer()} failed: ${toStatus(err).details ?? ''}`);
        call.emit('error', toStatus(err));
      };
      call.on('data', (req: IngestRequest__Output) => {
        if (failed) return;
        if (req.msg === 'hello' && req.hello) {
          try {
            authorizeHost(identity, req.hello.host);
          } catch (err) {
            return fail(err);
          }
          origin.host = req.hello.host;
          origin.exporter = req.hello.exporter || 'unknown';
          exporterId = req.hello.exporter_id;
          session = req.hello.session;
          if (req.hello.verdict_cache && decisions && !cache) {
            cache = decisions;
            unlisten = decisions.listen((namespace, epoch) => {
              if (namespace !== '' && sentTo.size <= MAX_SENT_TO && !sentTo.has(namespace)) return;
              owed = { namespace, epoch: String(epoch) };
              payOwed(false);
            });
            call.on('drain', () => payOwed(false));
          }
          return;
        }
        if (req.msg !== 'batch' || !req.batch)
          return fail(invalid('expected an ExporterHello or an EventBatch'));
        const batch = req.batch;
        let result: Promise<Answer>;
        // Sent at once, whatever earlier batches' acknowledgements wait for; always before this
        // batch's BatchResult (runEvents and runLineBlock resolve only after calling it).
        const early: Early | undefined =
          batch.early_verdicts && durability === 'decided'
            ? (answer) => {
                if (failed) return;
                const verdicts: BatchVerdicts = { batch_id: batch.batch_id, ...answer };
                write({ verdicts });
              }
            : undefined;
        try {
          const first = Number(batch.first_seq);
          if (!Number.isSafeInteger(first) || first < 0)
            throw invalid(`batch ${batch.batch_id}: first_seq ${batch.first_seq} is out of range`);
          if (first > 0 && (exporterId === '' || session === ''))
            throw invalid(
              `batch ${batch.batch_id} is numbered (first_seq) but the hello named no exporter_id and session`
            );
          const numbering = first > 0 ? { exporter: exporterId, session, first } : undefined;
          reportDrops(batch, { ...origin }, onDrops);
          result = batch.lines
            ? runLineBlock(
                pipeline,
                identity,
                { ...origin },
                batch,
                maxEventBytes,
                numbering,
                early
              )
            : runEvents(
                pipeline,
                identity,
                { ...origin },
                batch,
                maxEventBytes,
                routes,
                numbering,
                early,
                cache && { feed: cache, sentTo }
              );
        } catch (err) {
          return fail(err);
        }
        inFlight++;
        if (inFlight >= MAX_IN_FLIGHT) call.pause();
        // Answers go out in batch order even when namespaces finish out of order.
        chain = chain
          .then(async () => {
            const answer = await result;
            if (failed) return;
            write({ result: { batch_id: batch.batch_id, ...answer } });
            inFlight--;
            if (inFlight < MAX_IN_FLIGHT) call.resume();
            if (ended && inFlight === 0) call.end();
          })
          .catch(fail);
      });
      call.on('end', () => {
        ended = true;
        void chain.then(() => {
          if (!failed && inFlight === 0) call.end();
          unlisten();
        });
      });
      call.on('error', () => {
        failed = true;
        unlisten();
      });
      call.on('cancelled', () => unlisten());
      call.on('close', () => unlisten());
    },
  };
}

function reportDrops(
  batch: EventBatch__Output,
  origin: EventOrigin,
  onDrops: SourceDropSink
): void {
  const counts: Record<string, number> = {};
  for (const d of batch.drops) {
    const n = Number(d.count);
    if (!d.cause || !Number.isSafeInteger(n) || n < 0)
      throw invalid(`batch ${batch.batch_id}: drops: expected a cause and a count`);
    counts[d.cause] = (counts[d.cause] ?? 0) + n;
  }
  if (Object.keys(counts).length > 0) onDrops(origin, counts);
}

function position(
  n: Numbering | undefined,
  indexes: readonly number[]
): IngestPosition | undefined {
  return n && { exporter: n.exporter, session: n.session, seqs: indexes.map((i) => n.first + i) };
}

function runEvents(
  pipeline: Pipeline,
  identity: Identity,
  origin: EventOrigin,
  batch: EventBatch__Output,
  maxEventBytes: number,
  routes: CanisterRoutes | undefined,
  numbering?: Numbering,
  early?: Early,
  cache?: { feed: DecisionFeed; sentTo: Set<string> }
) {
  if (batch.events.length > MAX_BATCH_EVENTS) {
    throw invalid(
      `batch ${batch.batch_id} has ${batch.events.length} events, more than the limit of ${MAX_BATCH_EVENTS}`
    );
  }
  return runBatch(
    pipeline,
    identity,
    origin,
    batch.events,
    maxEventBytes,
    routes,
    numbering,
    early,
    cache
  );
}

/** The bulk form: one namespace's kernel lines in one field, answered with packed verdicts. */
function runLineBlock(
  pipeline: Pipeline,
  identity: Identity,
  origin: EventOrigin,
  batch: EventBatch__Output,
  maxEventBytes: number,
  numbering?: Numbering,
  early?: Early
) {
  const block = batch.lines!;
  if (batch.events.length > 0)
    throw invalid(`batch ${batch.batch_id}: send either events or lines, not both`);
  const ns = block.namespace || 'default';
  const lines = splitLines(block.kernel_lines).filter((l) => l.length > 0);
  if (lines.length > MAX_BATCH_EVENTS) {
    throw invalid(
      `batch ${batch.batch_id} has ${lines.length} lines, more than the limit of ${MAX_BATCH_EVENTS}`
    );
  }
  const o = block.host ? Object.assign({}, origin, { host: block.host }) : origin;
  // An oversized line gets its own error; the others go on.
  const fits = lines.filter((l) => l.length <= maxEventBytes);
  // Usually every line fits: the pipeline's outcomes are then the answer, index for index.
  const whole = fits.length === lines.length;
  const all = (done: readonly Outcome[]): readonly Outcome[] => {
    if (whole) return done;
    let j = 0;
    return lines.map((l): Outcome =>
      l.length > maxEventBytes ? { error: tooBig(l.length, maxEventBytes).message } : done[j++]!
    );
  };
  const part = decideAndSettle(
    lines.length,
    (decided) => {
      authorize(identity, 'exporter', ns);
      authorizeHost(identity, o.host);
      if (fits.length === 0) return all([]);
      const seqs = whole
        ? lines.map((_, i) => i)
        : lines.flatMap((l, i) => (l.length <= maxEventBytes ? [i] : []));
      return pipeline
        .submit(
          ns,
          o,
          fits.map((line) => ({ line })),
          position(numbering, seqs),
          decided && ((d) => decided(all(d)))
        )
        .then(all);
    },
    early !== undefined
  );
  const sent =
    early && part.decision.then((d) => sendEarly(early, { verdicts: [], packed: packOutcomes(d) }));
  return part.done.then(async (done) => {
    await sent;
    return { verdicts: [], packed: packOutcomes(done) };
  });
}

/**
 * One pipeline submit, with its decision (the verdicts before the write, when `wantDecision`)
 * and its settled outcomes. A part settled without a decision (refused, rejected) or not asked
 * for one is decided by its settled outcomes, so the decision always comes, never after `done`.
 */
function decideAndSettle(
  count: number,
  submit: (
    decided?: (o: readonly Outcome[]) => void
  ) => Promise<readonly Outcome[]> | readonly Outcome[],
  wantDecision: boolean
): { decision: Promise<readonly Outcome[]>; done: Promise<readonly Outcome[]> } {
  let decide!: (o: readonly Outcome[]) => void;
  const decision = new Promise<readonly Outcome[]>((r) => (decide = r));
  const done = Promise.resolve()
    .then(() => submit(wantDecision ? decide : undefined))
    .then(
      (o) => o,
      (err: unknown) =>
        Array.from({ length: count }, (): Outcome => ({
          error: toStatus(err).details ?? String(err),
        }))
    );
  void done.then(decide);
  return { decision, done };
}

/** A failing early send (the stream went away) must not lose the acknowledgement's path. */
function sendEarly(early: Early, answer: Answer): void {
  try {
    early(answer);
  } catch {
    // The BatchResult still follows, or the stream's failure ends it.
  }
}

/** Splits a batch by (namespace, host), runs each part through the pipeline, and returns the
 * verdicts in the batch's order; an event that cannot be decoded or is not allowed gets an error. */
async function runBatch(
  pipeline: Pipeline,
  identity: Identity,
  origin: EventOrigin,
  events: readonly Event__Output[],
  maxEventBytes: number,
  routes: CanisterRoutes | undefined,
  numbering?: Numbering,
  early?: Early,
  verdictCache?: { feed: DecisionFeed; sentTo: Set<string> }
): Promise<Answer> {
  const cache = verdictCache?.feed;
  const outcomes = new Array<Outcome>(events.length);
  const groups = new Map<
    string,
    { ns: string; origin: EventOrigin; idx: number[]; events: IncomingEvent[] }
  >();
  events.forEach((e, i) => {
    try {
      const host = e.host || origin.host;
      authorizeHost(identity, host);
      // A running canister's cgroup on that host names the namespace (canisters.md §4).
      const ns = routes?.route(host, e.cgroup_id) ?? (e.namespace || 'default');
      authorize(identity, 'exporter', ns);
      const bytes = eventBytes(e);
      if (bytes > maxEventBytes) throw tooBig(bytes, maxEventBytes);
      const incoming = eventFromWire(e, i);
      const key = `${ns}\u0000${host}`;
      let g = groups.get(key);
      if (!g)
        groups.set(
          key,
          (g = { ns, origin: Object.assign({}, origin, { host }), idx: [], events: [] })
        );
      // Before the pipeline decides: a change from now on in `ns` reaches this stream (past
      // MAX_SENT_TO namespaces, every change does).
      if (verdictCache && verdictCache.sentTo.size <= MAX_SENT_TO) verdictCache.sentTo.add(ns);
      g.idx.push(i);
      g.events.push(incoming);
    } catch (err) {
      outcomes[i] = { error: toStatus(err).details ?? String(err) };
    }
  });
  // The change epoch each part was decided under (a verdict cache's exporter needs the oldest).
  let decidedEpoch = cache?.epoch ?? 0;
  const parts = [...groups.values()].map((g) => ({
    g,
    ...decideAndSettle(
      g.events.length,
      (decided) =>
        pipeline.submit(
          g.ns,
          g.origin,
          g.events,
          position(numbering, g.idx),
          decided &&
            ((o) => {
              if (cache) decidedEpoch = Math.min(decidedEpoch, cache.epoch);
              decided(o);
            })
        ),
      early !== undefined || cache !== undefined
    ),
  }));
  const answer = (list: readonly Outcome[]): Answer => ({
    verdicts: list.map(cache ? cacheableToWire : outcomeToWire),
    ...(cache ? { decided_epoch: String(decidedEpoch) } : {}),
  });
  // Early: events refused before the pipeline are decided already (their error).
  const sent =
    early &&
    Promise.all(parts.map((p) => p.decision)).then((decisions) => {
      const decided = [...outcomes];
      parts.forEach((p, k) => decisions[k]!.forEach((o, j) => (decided[p.g.idx[j]!] = o)));
      sendEarly(early, answer(decided));
    });
  const settled = await Promise.all(parts.map((p) => p.done));
  parts.forEach((p, k) => settled[k]!.forEach((o, j) => (outcomes[p.g.idx[j]!] = o)));
  await sent;
  return answer(outcomes);
}

/** A verdict with its cacheable bit, for a stream whose exporter keeps a verdict cache. */
function cacheableToWire(o: Outcome): WireVerdict {
  const w = outcomeToWire(o);
  // Set on the fresh object: `{ ...w, cacheable }` takes a slow path in Node 20 (exporter/source.ts).
  return o.verdict && cacheableVerdict(o.verdict) ? Object.assign(w, { cacheable: true }) : w;
}
