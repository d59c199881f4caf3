/** What every view gets: the API, the live feed, who is signed in, and where to draw. */
import type { Api } from './api.js';
import { h } from './dom.js';
import type { LiveFeed } from './live.js';
import type { Whoami } from './types.js';

export interface App {
  readonly api: Api;
  readonly live: LiveFeed;
  readonly me: Whoami;
  /** Reports an error in the page's message bar (as text). */
  error(err: unknown): void;
  notice(message: string): void;
}

/** A view draws into `main` and returns what undoes its subscriptions. */
export type View = (app: App, main: HTMLElement, params: readonly string[]) => () => void;

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A section with a heading. */
export function section(title: string, ...body: (Node | null | undefined)[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...body);
}
