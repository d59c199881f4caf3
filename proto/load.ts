/** Loads tsem.proto at run time (protobufjs via @grpc/proto-loader); types come from proto/gen. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './gen/tsem.js';

/** Must match the flags proto/generate.sh passes to proto-loader-gen-types. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  bytes: Buffer,
};

/** proto/tsem/v1/tsem.proto, found from this module whether it runs from source or dist/. */
export function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'proto', 'tsem', 'v1', 'tsem.proto');
    if (existsSync(p)) return p;
    const up = resolve(dir, '..');
    if (up === dir)
      throw new Error('proto/tsem/v1/tsem.proto not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let cached: { definition: protoLoader.PackageDefinition; proto: ProtoGrpcType } | undefined;

export function loadTsemProto(): {
  definition: protoLoader.PackageDefinition;
  proto: ProtoGrpcType;
} {
  if (!cached) {
    const definition = protoLoader.loadSync(protoPath(), LOADER_OPTIONS);
    cached = {
      definition,
      proto: grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType,
    };
  }
  return cached;
}
