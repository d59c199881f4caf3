/** The native addon, as the sources use it (the loader lives with the engine, which reads xattrs too). */
export * from '../../engine/native-addon.js';
