/**
 * The console's JSON API, same origin only. The session rides its HttpOnly cookie (the page
 * never sees it); mutations echo the session's CSRF token in a header. Tokens are sent once, in
 * the sign-in request's body, never in a URL.
 */
import type { Whoami } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

const BASE = '/console/api';

export class Api {
  private csrf = '';
  /** Called when the server says the session is gone (401). */
  onSignedOut: () => void = () => undefined;

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method === 'POST') {
      headers['content-type'] = 'application/json';
      if (this.csrf) headers['x-csrf-token'] = this.csrf;
    }
    const res = await fetch(BASE + path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
    const data = (await res.json().catch(() => ({}))) as { error?: string };
    if (!res.ok) {
      const message = typeof data.error === 'string' ? data.error : `HTTP ${res.status}`;
      if (res.status === 401 && path !== '/session') this.onSignedOut();
      throw new ApiError(res.status, message);
    }
    return data as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /** The current session, if the cookie still names one. */
  async session(): Promise<Whoami | undefined> {
    const w = await this.get<Whoami | { signedIn: false }>('/session');
    if (!w.signedIn) return undefined;
    this.csrf = w.csrf;
    return w;
  }

  async signIn(token: string): Promise<Whoami> {
    const w = await this.post<Whoami>('/session', { token });
    this.csrf = w.csrf;
    return w;
  }

  async signOut(): Promise<void> {
    await this.post('/session/logout').catch(() => undefined);
    this.csrf = '';
  }
}

export const enc = encodeURIComponent;
