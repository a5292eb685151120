import { apiKey } from './api.js';
import { el, errorBox } from './dom.js';

/** The server wants an API key: ask for one, keep it for this tab only, and retry. */
export function renderKeyPrompt(view, rejected, retry) {
  const input = el('input', {
    id: 'api-key',
    type: 'password',
    name: 'api-key',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    placeholder: 'sk-…',
  });
  const form = el(
    'form',
    {
      class: 'key-prompt panel',
      onsubmit: (event) => {
        event.preventDefault();
        apiKey.set(input.value.trim());
        retry();
      },
    },
    el('h1', { tabindex: '-1', text: 'API key' }),
    el('p', {
      text: 'This server needs an API key. The viewer sends it as a Bearer token to the API and shows what that key may see.',
    }),
    rejected && errorBox(rejected),
    el('label', { for: 'api-key', text: 'API key' }),
    el('div', { class: 'row' }, input, el('button', { type: 'submit', text: 'Continue' })),
    el('p', { class: 'muted small', text: 'Kept in this tab’s session storage only: closing the tab forgets it.' }),
  );
  view.replaceChildren(form);
  input.focus();
}
