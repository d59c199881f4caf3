#!/usr/bin/env bash
# Regenerates proto/gen (TypeScript types for tsem.proto). Never edit proto/gen by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf proto/gen
npx proto-loader-gen-types --grpcLib=@grpc/grpc-js --outDir=proto/gen --keepCase --longs=String \
  --enums=String --defaults --oneofs --bytes=Buffer proto/tsem/v1/tsem.proto
# NodeNext resolution wants explicit .js extensions on relative imports.
find proto/gen -name '*.ts' -exec sed -i -E "s#(from '\.\.?/[^']+)';#\1.js';#" {} +
