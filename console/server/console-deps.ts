/** What the console needs of the running engine, handed over by the composition root. */
import type { Log } from '../../common/log.js';
import type { AlertService } from '../../engine/alert/alert-service.js';
import type { ImaLogs } from '../../engine/server/control-service.js';
import type { ImaControl } from '../../engine/server/ima-control.js';
import type { Pipeline } from '../../engine/ns/pipeline.js';
import type { NamespaceRegistry } from '../../engine/ns/registry.js';
import type { AuthConfig } from '../../engine/server/auth.js';
import type { Hub } from '../../engine/server/hub.js';
import type { SubscriberQuota } from '../../engine/server/monitor-service.js';
import type { Attester } from '../../engine/trust/agent-port.js';
import type { SessionOptions } from './sessions.js';

export interface ConsoleDeps extends ConsoleOptions {
  readonly registry: NamespaceRegistry;
  readonly pipeline: Pipeline;
  /** The same hub as Monitor: live alerts ride its bounded per-subscriber queues. */
  readonly hub: Hub;
  /** Subscriptions per identity, shared with Monitor (its limits apply to live views too). */
  readonly subscriberQuota?: Pick<SubscriberQuota, 'take'>;
  readonly auth: AuthConfig;
  readonly alerts: Pick<
    AlertService,
    'incidents' | 'incident' | 'records' | 'onRecords' | 'lastSeq' | 'release' | 'incidentOfTask'
  >;
  /** IMA measurement lists, when IMA is on. */
  readonly ima?: ImaLogs;
  /** Each namespace's IMA policy and appraisal keyring (read here; changed with tsem ima). */
  readonly imaAdmin?: Pick<ImaControl, 'policy' | 'keyring'>;
  /** The trusted modeling agent, when it runs. */
  readonly attester?: Attester;
  readonly agentPublicKey?: Uint8Array;
  readonly log: Log;
  /** The listener speaks TLS: cookies are Secure and origins https. */
  readonly secure: boolean;
  readonly version: string;
  /** Where console/static and dist/console/web are. */
  readonly packageRoot: string;
}

/** What `EngineOptions.console` may set. */
export interface ConsoleOptions {
  readonly sessions?: SessionOptions;
  /** Test seam: each live view's queue (default the Monitor default). */
  readonly liveQueue?: number;
  /** Test seam: how often namespace figures go out on live views (default 1 s). */
  readonly tickMs?: number;
  /** Test seam: how often live views are kept alive and their sessions checked (default 15 s). */
  readonly heartbeatMs?: number;
}
