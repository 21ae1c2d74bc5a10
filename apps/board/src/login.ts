/**
 * The login page: POST /auth/login sets the HttpOnly session cookie the board's requests and its
 * socket handshake then carry; a first password set by an administrator is replaced here first.
 */
import { HttpError, postJson, safeNext } from './http.js';

interface LoginAnswer {
  user: { mustChangePassword: boolean };
}

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const form = byId<HTMLFormElement>('login-form');
const username = byId<HTMLInputElement>('username');
const password = byId<HTMLInputElement>('password');
const newPasswordFields = byId<HTMLFieldSetElement>('new-password-fields');
const newPassword = byId<HTMLInputElement>('new-password');
const submit = byId<HTMLButtonElement>('login-submit');
const errorLine = byId<HTMLParagraphElement>('login-error');
const next = safeNext(new URLSearchParams(location.search).get('next'));

function showError(message: string | null): void {
  errorLine.hidden = message === null;
  errorLine.textContent = message ?? '';
}

async function logIn(): Promise<void> {
  const first = await postJson<LoginAnswer>('/auth/login', { username: username.value, password: password.value });
  if (!first.user.mustChangePassword) {
    location.assign(next);
    return;
  }
  if (newPasswordFields.hidden) {
    newPasswordFields.hidden = false;
    newPassword.required = true;
    newPassword.focus();
    showError('Your password was set by an administrator: choose your own.');
    return;
  }
  // Changing the password ends every session, this one too: log in again with the new one.
  await postJson('/auth/password', { currentPassword: password.value, newPassword: newPassword.value });
  await postJson<LoginAnswer>('/auth/login', { username: username.value, password: newPassword.value });
  location.assign(next);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  submit.disabled = true;
  showError(null);
  logIn()
    .catch((error: unknown) => showError(error instanceof HttpError ? error.message : 'The server did not answer'))
    .finally(() => {
      submit.disabled = false;
    });
});
username.focus();
