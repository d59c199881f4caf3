/**
 * The fleet as one more alert output of an engine (docs/fleet.md §5): each alert-log record (a
 * version of an incident) is published to the outputs stream on its namespace's incident subject,
 * and counts as delivered once JetStream stored it. The engine's deliverer gives it a cursor in the
 * engine's store, retries with backoff while NATS is away and bounds what waits, as for a webhook.
 * The message id is the record's delivery id (incident id and version), so a record sent again
 * (a lost acknowledgement, a restart before the cursor moved) is stored once.
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { errorMessage } from '../../common/errors.js';
import type { AlertOutput } from '../../engine/alert/alert-service.js';
import { type AlertSink, DeliveryError } from '../../engine/alert/deliverer.js';
import { DEFAULT_MAX_QUEUE } from '../../engine/alert/output-spec.js';
import { deliveryId } from '../../engine/incident/incident.js';
import { incidentSubject } from '../nats/names.js';
import { encodeRecord } from './record-codec.js';

/** The output's name: its delivery cursor and metrics use it. */
export const FLEET_OUTPUT = 'fleet:incidents';

const PUBLISH_TIMEOUT_MS = 5000;

export function fleetIncidentSink(js: JetStreamClient, origin: string): AlertSink {
  return {
    async send(record) {
      try {
        await js.publish(incidentSubject(record.incident.namespace, origin), encodeRecord(record), {
          msgID: deliveryId(record),
          timeout: PUBLISH_TIMEOUT_MS,
        });
      } catch (err) {
        const why = errorMessage(err);
        // A record larger than the server takes is never taken: do not block the others on it.
        throw new DeliveryError(`NATS: ${why}`, /max.?payload/i.test(why) ? 'reject' : 'retry');
      }
    },
    async close() {},
  };
}

/** `origin`: POOL_ORIGIN for a pool member, hostOrigin(HOST) for a host's own engine. */
export function fleetIncidentOutput(nc: NatsConnection, origin: string): AlertOutput {
  return {
    spec: { name: FLEET_OUTPUT, maxQueue: DEFAULT_MAX_QUEUE },
    sink: fleetIncidentSink(jetstream(nc), origin),
  };
}
