/**
 * Building the page from nodes and text only. Nothing here ever parses a string as HTML: every
 * value (process names, paths, namespace names, event lines: all attacker-controlled) becomes a
 * text node or an attribute value. The page's Trusted Types policy refuses the HTML sinks anyway.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  readonly class?: string;
  readonly id?: string;
  readonly title?: string;
  readonly type?: string;
  readonly value?: string;
  readonly name?: string;
  readonly placeholder?: string;
  readonly for?: string;
  /** Only in-page links (`#/…`): nothing here navigates elsewhere. */
  readonly href?: `#${string}`;
  readonly autocomplete?: string;
  readonly role?: string;
  readonly disabled?: boolean;
  readonly data?: Readonly<Record<string, string>>;
  readonly aria?: Readonly<Record<string, string>>;
  readonly onClick?: (ev: MouseEvent) => void;
  readonly onSubmit?: (ev: SubmitEvent) => void;
  readonly onChange?: (ev: Event) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const key of [
    'class',
    'id',
    'title',
    'type',
    'name',
    'placeholder',
    'for',
    'href',
  ] as const) {
    const v = attrs[key];
    if (v !== undefined) el.setAttribute(key, v);
  }
  if (attrs.autocomplete !== undefined) el.setAttribute('autocomplete', attrs.autocomplete);
  if (attrs.role !== undefined) el.setAttribute('role', attrs.role);
  if (attrs.value !== undefined) (el as HTMLInputElement).value = attrs.value;
  if (attrs.disabled) el.setAttribute('disabled', '');
  for (const [k, v] of Object.entries(attrs.data ?? {})) el.dataset[k] = v;
  for (const [k, v] of Object.entries(attrs.aria ?? {})) el.setAttribute(`aria-${k}`, v);
  const target: HTMLElement = el;
  if (attrs.onClick) target.addEventListener('click', attrs.onClick);
  if (attrs.onSubmit) target.addEventListener('submit', attrs.onSubmit);
  if (attrs.onChange) target.addEventListener('change', attrs.onChange);
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? text(String(c)) : c);
  }
}

export function text(s: string): Text {
  return document.createTextNode(s);
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

export function time(ms: number | undefined): string {
  if (!ms) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A long hex value cut for tables; the whole value is in the title. */
export function shortHex(hex: string, n = 12): HTMLElement {
  return h('code', { class: 'hex', title: hex }, hex.length > n ? `${hex.slice(0, n)}…` : hex);
}

export function badge(kind: string, label: string = kind): HTMLElement {
  return h('span', { class: `badge badge-${kind.replace(/[^a-z-]/g, '')}` }, label);
}

/** A table from a header and rows; rows may carry a click handler and data attributes. */
export function table(
  head: readonly string[],
  rows: readonly { cells: readonly Child[]; onClick?: () => void; data?: Record<string, string> }[],
  empty = 'nothing yet'
): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          { class: r.onClick ? 'clickable' : undefined, data: r.data, onClick: r.onClick },
          ...r.cells.map((c) => h('td', {}, c))
        )
      )
    )
  );
}

/** A `key: value` grid. */
export function facts(items: readonly [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...items.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])
  );
}

/** Pretty JSON of an event line when it parses, else the line; always as text. */
export function eventText(line: string): string {
  try {
    return JSON.stringify(JSON.parse(line), null, 2);
  } catch {
    return line;
  }
}

/** An event line folded: its start as the summary, the whole event (pretty JSON) on opening. */
export function eventDetails(line: string): HTMLElement {
  const short = line.length > 72 ? `${line.slice(0, 72)}…` : line;
  return h(
    'details',
    { class: 'event' },
    h('summary', {}, h('code', {}, short)),
    h('pre', { class: 'event' }, eventText(line))
  );
}

/**
 * `draw` at most once per animation frame however often the result is called: a burst of live
 * alerts otherwise rebuilds a 200-row table per alert and stalls the page for seconds.
 */
export function perFrame(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}
