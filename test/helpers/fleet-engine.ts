/** `tsem serve --nats` child processes (shared with the fleet benchmark). */
export * from '../../bench/fleet-engine.js';
