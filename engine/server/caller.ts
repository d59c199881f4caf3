/** The caller's identity from its bearer token or TLS client certificate. */
import type { Metadata } from '@grpc/grpc-js';
import type { AuthContext } from '@grpc/grpc-js/build/src/auth-context.js';
import { type AuthConfig, authenticate, type Identity } from './auth.js';
import { invalid } from './to-status.js';

interface CallLike {
  readonly metadata: Metadata;
  getAuthContext(): AuthContext;
}

export function callerIdentity(auth: AuthConfig, call: CallLike): Identity {
  const header = call.metadata.get('authorization')[0];
  let token: string | undefined;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(String(header));
    if (!m) throw invalid('authorization metadata: expected "Bearer <token>"');
    token = m[1];
  }
  const cn = call.getAuthContext().sslPeerCertificate?.subject?.CN;
  return authenticate(auth, { token, certCommonName: typeof cn === 'string' ? cn : undefined });
}
