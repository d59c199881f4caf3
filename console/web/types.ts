/** The console API's JSON, as the browser reads it (console/server/api-*.ts write it). */

export type Mode = 'learn' | 'audit' | 'sealed' | 'enforce';
export type Severity = 'low' | 'medium' | 'high';

export interface Whoami {
  readonly signedIn: true;
  readonly identity: string;
  readonly roles: readonly string[];
  readonly admin: boolean;
  readonly namespaces: readonly string[] | null;
  readonly csrf: string;
  readonly version: string;
}

export interface NamespaceSummary {
  readonly name: string;
  readonly mode: Mode;
  readonly digest: string;
  readonly events: number;
  readonly points: number;
  readonly forensics: number;
  readonly findings: number;
  readonly untrustedTasks: number;
  readonly settled: boolean;
}

export interface NamespaceDetail extends NamespaceSummary {
  readonly dialect: string;
  readonly nsref: string;
  readonly validPoints: number;
  readonly forensicPoints: number;
  readonly trajectory: number;
  readonly measurement: string;
  readonly state: string;
  readonly aggregate: string;
  readonly base: string;
}

export interface ConvergenceWindow {
  readonly eventsEnd: number;
  readonly events: number;
  readonly newPoints: number;
}

export interface Convergence {
  readonly windowEvents: number;
  readonly settled: boolean;
  readonly windows: readonly ConvergenceWindow[];
}

export interface TaskRow {
  readonly key: string;
  readonly taskId: string;
  readonly trust: string;
  readonly cause?: {
    readonly seq: number;
    readonly type: string;
    readonly coefficient: string;
    readonly inheritedFrom: string;
    readonly event: string;
  };
  readonly incident: string;
}

export interface EntryPage {
  readonly total: number;
  readonly offset: number;
  readonly items: readonly { coefficient: string; count: number; event: string }[];
}

export interface EventSummary {
  readonly seq: number;
  readonly timeMs: number;
  readonly type: string;
  readonly process: string;
  readonly pid?: number;
  readonly task: string;
  readonly kind: string;
  readonly action: 'allow' | 'deny';
  readonly coefficient?: string;
  readonly event: string;
}

export interface ImaFailure {
  readonly incident?: string;
  readonly seq?: number;
  readonly filename: string;
  readonly cause: string;
  readonly status: string;
  readonly enforced: boolean | string;
}

export interface IncidentSummary {
  readonly id: string;
  readonly namespace: string;
  readonly status: 'open' | 'closed';
  readonly severity: Severity;
  readonly title: string;
  readonly mode: Mode;
  readonly openedMs: number;
  readonly lastSeenMs: number;
  readonly closedMs?: number;
  readonly closeReason?: string;
  readonly root: { readonly task: string; readonly pid?: number; readonly process: string };
  readonly counts: {
    readonly events: number;
    readonly alerts: number;
    readonly denied: number;
    readonly offContour: number;
    readonly untrusted: number;
    readonly ima: number;
  };
  readonly version: number;
}

export interface IncidentDetail extends IncidentSummary {
  readonly host: string;
  readonly exporter: string;
  readonly releasedBy?: string;
  readonly trigger: EventSummary;
  readonly samples: readonly EventSummary[];
  readonly denials: readonly EventSummary[];
  readonly ima: readonly ImaFailure[];
  readonly types: Readonly<Record<string, number>>;
  readonly tasks: readonly string[];
  readonly taskCount: number;
}

export interface LiveAlert {
  readonly namespace: string;
  readonly timeMs: number;
  readonly seq: number;
  readonly type: string;
  readonly process: string;
  readonly pid: string;
  readonly kind: string;
  readonly action: 'allow' | 'deny';
  readonly severity: Severity;
  readonly coefficient: string;
  readonly taskId: string;
  readonly host: string;
  readonly exporter: string;
  readonly ima: readonly Readonly<Record<string, string>>[];
  readonly event: string;
}

export interface LiveIncident {
  readonly seq: number;
  readonly activity: 'open' | 'update' | 'close';
  readonly incident: IncidentSummary;
}

export interface ImaView {
  readonly enabled: boolean;
  readonly bank?: string;
  readonly total?: number;
  readonly pcr10?: string;
  readonly offset?: number;
  readonly entries?: readonly {
    pcr: string;
    templateHash: string;
    template: string;
    data: string;
  }[];
  readonly failures: readonly ImaFailure[];
  readonly policy?: {
    readonly text: string;
    readonly rules: number;
    readonly source: string;
    readonly by?: string;
    readonly at?: number;
  };
  readonly keyring?: {
    readonly own: boolean;
    readonly keys: readonly {
      keyid: string;
      kind: string;
      curve?: string;
      bits?: number;
      source: string;
      fingerprint: string;
    }[];
  };
}

export interface AttestationStatus {
  readonly agent: boolean;
  readonly publicKey?: string;
}

export interface AttestResult {
  readonly agent: boolean;
  readonly nonce?: string;
  readonly ok?: boolean;
  readonly quote?: boolean;
  readonly findings?: readonly { id: string; reason: string }[];
  readonly report?: Readonly<Record<string, string | number>>;
  readonly engine?: Readonly<Record<string, string | number>>;
}

export interface PointRow {
  readonly hex: string;
  readonly status: 'valid' | 'forensic' | 'finding' | 'unknown';
  readonly count: number;
  readonly firstMs?: number;
  readonly lastMs?: number;
  /** The description of the event behind the point, as `[field, value]` pairs. */
  readonly fields?: readonly (readonly [string, string])[];
}

export interface PointPage {
  readonly total: number;
  readonly offset: number;
  readonly findings?: number;
  readonly forensic?: number;
  readonly items: readonly PointRow[];
}

export interface Explanation {
  readonly point: PointRow;
  readonly compared: number;
  readonly undescribed: number;
  readonly nearest: readonly {
    readonly hex: string;
    readonly count: number;
    readonly sameType: boolean;
    readonly sameProcess: boolean;
    readonly differing: number;
    readonly differences: readonly { field: string; value?: string; nearest?: string }[];
    readonly fields?: readonly (readonly [string, string])[];
  }[];
}
