// Builds elements from text and attributes only: nothing is ever parsed as HTML.

/** Children given as `condition && node` are left out when the condition fails. */
const present = (children) =>
  children.flat().filter((child) => child !== undefined && child !== null && child !== false);

/** el('a', { href, class, text, onclick }, ...children): strings among children become text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...present(children));
  return node;
}

/** Replaces what `view` shows, skipping absent (false, null) children as `el` does. */
export function show(view, ...children) {
  view.replaceChildren(...present(children));
}

/** A Unix time in seconds as a <time>, local and readable, with the exact instant in its title. */
export function timeOf(seconds) {
  const date = new Date(seconds * 1000);
  const text = date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return el('time', { datetime: date.toISOString(), title: date.toISOString(), text });
}

/** A metadata map as a small definition list (nothing when empty). */
export function metadataList(metadata, label = 'metadata') {
  const entries = Object.entries(metadata ?? {});
  if (entries.length === 0) return null;
  return el(
    'dl',
    { class: 'pairs', 'aria-label': label },
    entries.map(([key, value]) => el('div', {}, el('dt', { text: key }), el('dd', { text: value }))),
  );
}

export const chip = (text, kind = '') => el('span', { class: `chip ${kind}`.trim(), text });

export function errorBox(error) {
  return el('p', { class: 'error', role: 'alert', text: error?.message ?? String(error) });
}

/** Asks a yes/no question in a modal <dialog> (Escape or Cancel: no); resolves true on yes. */
export function confirmAction(question, action) {
  return new Promise((resolve) => {
    const cancel = el('button', {
      type: 'button',
      class: 'quiet',
      text: 'Cancel',
      onclick: () => dialog.close('cancel'),
    });
    const confirm = el('button', {
      type: 'button',
      class: 'danger',
      text: action,
      onclick: () => dialog.close('confirm'),
    });
    const dialog = el(
      'dialog',
      { class: 'confirm' },
      el('p', { text: question }),
      el('div', { class: 'actions' }, cancel, confirm),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
