/** Sign-in: the token is typed once and exchanged for a session cookie; it is never stored. */
import type { Api } from '../api.js';
import { h, replace } from '../dom.js';
import type { Whoami } from '../types.js';

export function renderLogin(root: HTMLElement, api: Api, done: (w: Whoami) => void): void {
  const input = h('input', {
    id: 'token',
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    placeholder: 'bearer token',
  });
  const message = h('p', { class: 'login-error', role: 'alert' });
  const submit = h('button', { type: 'submit', id: 'sign-in' }, 'Sign in');
  const form = h(
    'form',
    {
      class: 'login',
      onSubmit: (ev) => {
        ev.preventDefault();
        submit.setAttribute('disabled', '');
        replace(message);
        const token = input.value;
        input.value = '';
        api
          .signIn(token)
          .then(done)
          .catch((err: unknown) => {
            replace(message, err instanceof Error ? err.message : String(err));
            submit.removeAttribute('disabled');
          });
      },
    },
    h('h1', {}, 'tsem console'),
    h(
      'p',
      {},
      'Sign in with a token of the engine: the admin token (in the data directory, admin.token) or one from the identities file. Leave it empty on loopback when the engine allows anonymous viewers.'
    ),
    h('label', { for: 'token' }, 'Token'),
    input,
    submit,
    message
  );
  replace(root, form);
  input.focus();
}
