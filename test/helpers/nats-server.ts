/** The nats-server the fleet tests start (shared with the fleet benchmark). */
export * from '../../bench/nats-server.js';
