/**
 * The field lists of the SIEM schemas the alert outputs claim, written down from the schemas
 * themselves (OCSF 1.8.0 `events/findings/detection_finding.json` with `finding.json`,
 * `base_event.json`, `metadata.json`, `product.json`, `finding_info.json`, `analytic.json`,
 * `evidences.json`, `process.json`, `file.json`; ECS `ecs_flat.yml`): required attributes, enum
 * values and constraints. Each check returns the problems found (empty = valid).
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

const OCSF_ACTIVITY = [0, 1, 2, 3, 99];
const OCSF_SEVERITY = [0, 1, 2, 3, 4, 5, 6, 99];
const OCSF_STATUS = [0, 1, 2, 3, 4, 5, 6, 99];
const OCSF_CONFIDENCE = [0, 1, 2, 3, 99];
const OCSF_ANALYTIC_TYPE = [0, 1, 2, 3, 4, 5, 6, 99];
const OCSF_FILE_TYPE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 99];
const SEVERITY_CAPTION: Record<number, string> = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
};
const EVIDENCE_KEYS = [
  'process',
  'file',
  'actor',
  'user',
  'device',
  'src_endpoint',
  'dst_endpoint',
  'connection_info',
  'resources',
  'url',
  'api',
  'query',
  'data',
  'database',
  'databucket',
  'email',
  'job',
  'script',
];

/** OCSF 1.8.0 Detection Finding (class_uid 2004). */
export function ocsfDetectionFindingProblems(f: unknown): string[] {
  const p: string[] = [];
  if (!isObj(f)) return ['not an object'];
  for (const k of ['activity_id', 'category_uid', 'class_uid', 'type_uid', 'severity_id', 'time'])
    if (!isInt(f[k])) p.push(`${k}: required integer`);
  if (f['class_uid'] !== 2004) p.push('class_uid: expected 2004');
  if (f['category_uid'] !== 2) p.push('category_uid: expected 2 (Findings)');
  if (!OCSF_ACTIVITY.includes(f['activity_id'] as number)) p.push('activity_id: not in the enum');
  if (f['type_uid'] !== 2004 * 100 + (f['activity_id'] as number))
    p.push('type_uid: expected class_uid × 100 + activity_id');
  if (!OCSF_SEVERITY.includes(f['severity_id'] as number)) p.push('severity_id: not in the enum');
  if (f['severity'] !== undefined && f['severity'] !== SEVERITY_CAPTION[f['severity_id'] as number])
    p.push('severity: caption does not match severity_id');
  if (f['status_id'] !== undefined && !OCSF_STATUS.includes(f['status_id'] as number))
    p.push('status_id: not in the enum');
  if (f['confidence_id'] !== undefined && !OCSF_CONFIDENCE.includes(f['confidence_id'] as number))
    p.push('confidence_id: not in the enum');
  if (typeof f['time'] === 'number' && f['time'] < 1e12) p.push('time: expected milliseconds');
  const md = f['metadata'];
  if (!isObj(md)) p.push('metadata: required object');
  else {
    if (typeof md['version'] !== 'string' || !/^\d+\.\d+\.\d+/.test(md['version']))
      p.push('metadata.version: required schema version');
    const prod = md['product'];
    if (!isObj(prod) || (typeof prod['name'] !== 'string' && typeof prod['uid'] !== 'string'))
      p.push('metadata.product: required, with name or uid');
  }
  const fi = f['finding_info'];
  if (!isObj(fi)) p.push('finding_info: required object');
  else {
    if (typeof fi['uid'] !== 'string' || fi['uid'] === '') p.push('finding_info.uid: required');
    const a = fi['analytic'];
    if (a !== undefined && (!isObj(a) || !OCSF_ANALYTIC_TYPE.includes(a['type_id'] as number)))
      p.push('finding_info.analytic.type_id: required enum');
    if (
      fi['types'] !== undefined &&
      !(Array.isArray(fi['types']) && fi['types'].every((t) => typeof t === 'string'))
    )
      p.push('finding_info.types: string array');
    for (const k of ['created_time', 'first_seen_time', 'last_seen_time'])
      if (fi[k] !== undefined && !isInt(fi[k])) p.push(`finding_info.${k}: timestamp`);
  }
  if (f['is_alert'] !== undefined && typeof f['is_alert'] !== 'boolean')
    p.push('is_alert: boolean');
  const evs = f['evidences'];
  if (evs !== undefined) {
    if (!Array.isArray(evs)) p.push('evidences: array');
    else
      evs.forEach((e: unknown, i) => {
        if (!isObj(e) || !EVIDENCE_KEYS.some((k) => e[k] !== undefined))
          p.push(`evidences[${i}]: needs one of ${EVIDENCE_KEYS.join(', ')}`);
        else {
          const proc = e['process'];
          if (
            proc !== undefined &&
            (!isObj(proc) ||
              (proc['pid'] === undefined &&
                proc['uid'] === undefined &&
                proc['cpid'] === undefined))
          )
            p.push(`evidences[${i}].process: needs pid, uid or cpid`);
          const file = e['file'];
          if (
            file !== undefined &&
            (!isObj(file) ||
              typeof file['name'] !== 'string' ||
              !OCSF_FILE_TYPE.includes(file['type_id'] as number))
          )
            p.push(`evidences[${i}].file: needs name and type_id`);
        }
      });
  }
  return p;
}

const ECS_KIND = ['alert', 'asset', 'enrichment', 'event', 'metric', 'state', 'pipeline_error'];
const ECS_CATEGORY_TYPES: Record<string, readonly string[]> = {
  intrusion_detection: ['allowed', 'denied', 'info'],
  process: ['access', 'change', 'end', 'info', 'start'],
  host: ['access', 'change', 'end', 'info', 'start'],
  file: ['access', 'change', 'creation', 'deletion', 'info'],
  network: ['access', 'allowed', 'connection', 'denied', 'end', 'info', 'protocol', 'start'],
  malware: ['info'],
};

/** ECS: required fields and the categorization fields' allowed values. */
export function ecsAlertProblems(d: unknown): string[] {
  const p: string[] = [];
  if (!isObj(d)) return ['not an object'];
  if (typeof d['@timestamp'] !== 'string' || Number.isNaN(Date.parse(d['@timestamp'])))
    p.push('@timestamp: required date');
  const ecs = d['ecs'];
  if (!isObj(ecs) || typeof ecs['version'] !== 'string') p.push('ecs.version: required');
  const e = d['event'];
  if (!isObj(e)) return [...p, 'event: required object'];
  if (!ECS_KIND.includes(e['kind'] as string))
    p.push('event.kind: not an allowed value (signal is reserved)');
  const cats = e['category'];
  const types = e['type'];
  if (!Array.isArray(cats) || cats.length === 0) p.push('event.category: array of allowed values');
  else if (!Array.isArray(types) || types.length === 0) p.push('event.type: array');
  else
    for (const t of types)
      if (!cats.some((c: string) => ECS_CATEGORY_TYPES[c]?.includes(t as string)))
        p.push(
          `event.type: '${String(t)}' is not expected with event.category ${JSON.stringify(cats)}`
        );
  if (
    e['outcome'] !== undefined &&
    !['success', 'failure', 'unknown'].includes(e['outcome'] as string)
  )
    p.push('event.outcome: not an allowed value');
  const proc = d['process'];
  if (isObj(proc) && proc['pid'] !== undefined && !isInt(proc['pid'])) p.push('process.pid: long');
  return p;
}
