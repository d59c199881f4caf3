/** Switching a namespace's mode (admin): a confirmation that names what the new mode does. */
import { h, replace } from '../dom.js';
import type { Mode } from '../types.js';

export const CONSEQUENCE: Record<Mode, string> = {
  learn:
    'Learn: every unknown event joins the model as a trusted point. Nothing is reported or denied.',
  audit:
    'Audit (dry run of sealing): unknown events are recorded as findings; nothing is marked untrusted or denied.',
  sealed:
    'Sealed: the model is closed. Unknown events become forensics and alerts, and their tasks become untrusted; nothing is denied.',
  enforce:
    'Enforce denies: unknown events are denied and recorded as forensics, their tasks become untrusted, and every later action of an untrusted task is denied.',
};

const MODES: readonly Mode[] = ['learn', 'audit', 'sealed', 'enforce'];

/** Opens the dialog; `apply` runs when the admin confirms (its error is shown in the dialog). */
export function openModeDialog(
  ns: string,
  current: Mode,
  apply: (mode: Mode) => Promise<void>
): void {
  const select = h(
    'select',
    { id: 'mode-select', name: 'mode' },
    ...MODES.map((m) => {
      const o = h('option', { value: m }, m);
      if (m === (current === 'learn' ? 'enforce' : current)) o.selected = true;
      return o;
    })
  );
  const consequence = h('p', { id: 'mode-consequence', class: 'consequence' });
  const error = h('p', { class: 'error', role: 'alert' });
  const confirm = h('button', { type: 'button', id: 'mode-confirm', class: 'danger' });
  const dialog = h('dialog', { id: 'mode-dialog' });
  const describe = () => {
    const m = select.value as Mode;
    replace(consequence, CONSEQUENCE[m]);
    replace(confirm, m === current ? `Stay in ${m}` : `Switch ${ns} to ${m}`);
    confirm.className = m === 'enforce' || m === 'sealed' ? 'danger' : 'primary';
  };
  select.addEventListener('change', describe);
  confirm.addEventListener('click', () => {
    confirm.setAttribute('disabled', '');
    apply(select.value as Mode)
      .then(() => dialog.close())
      .catch((err: unknown) => {
        replace(error, err instanceof Error ? err.message : String(err));
        confirm.removeAttribute('disabled');
      });
  });
  replace(
    dialog,
    h('h2', {}, 'Change the mode of ', h('code', {}, ns)),
    h('p', {}, 'Now: ', h('strong', {}, current)),
    h('label', { for: 'mode-select' }, 'New mode '),
    select,
    consequence,
    error,
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'button', id: 'mode-cancel', onClick: () => dialog.close() }, 'Cancel'),
      confirm
    )
  );
  describe();
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
}
