// One entry of a thread's timeline: a message (from either view) or a compact card for any other item.
import { chip, el, metadataList, timeOf } from './dom.js';

const httpUrl = (url) => /^https?:\/\//i.test(url ?? '');

function imageFromUrl(url, detail) {
  if (!httpUrl(url)) return chip(`image: ${url}`, 'file');
  return el(
    'a',
    { class: 'image', href: url, target: '_blank', rel: 'noopener noreferrer' },
    el('img', { src: url, alt: `image (${detail ?? 'auto'} detail)`, loading: 'lazy', referrerpolicy: 'no-referrer' }),
  );
}

const text = (value) => el('p', { class: 'text', text: value });

/** A thread message's content part. */
function threadPart(part) {
  switch (part.type) {
    case 'text':
      return text(part.text.value);
    case 'image_url':
      return imageFromUrl(part.image_url.url, part.image_url.detail);
    case 'image_file':
      return chip(`image file: ${part.image_file.file_id}`, 'file');
    case 'refusal':
      return el('p', { class: 'text refusal', text: part.refusal });
    default:
      return chip(`${part.type} part`);
  }
}

/** A conversation message item's content part. */
function itemPart(part) {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
    case 'summary_text':
    case 'reasoning_text':
      return text(part.text);
    case 'refusal':
      return el('p', { class: 'text refusal', text: part.refusal });
    case 'input_image':
      return part.image_url
        ? imageFromUrl(part.image_url, part.detail)
        : chip(`image file: ${part.file_id ?? '(none)'}`, 'file');
    case 'input_file':
      return chip(`file: ${part.file_id ?? part.filename ?? '(inline)'}`, 'file');
    default:
      return chip(`${part.type} part`);
  }
}

function deleteButton(label, onDelete) {
  return (
    onDelete &&
    el('button', { type: 'button', class: 'quiet small', 'aria-label': label, text: 'Delete', onclick: onDelete })
  );
}

/** A message written by a run links to that run's card (`revealRun` opens it). */
function runLink(runId, revealRun) {
  return el('a', {
    href: `#run-${runId}`,
    class: 'chip link run-link',
    title: 'Show the run that wrote this message',
    text: `run ${runId}`,
    onclick: (event) => {
      event.preventDefault();
      revealRun(runId);
    },
  });
}

/**
 * `message` is the thread view's message (time, metadata, attachments, run) when known; `item` the
 * conversation's. `revealRun(runId)` shows a run on the page.
 */
export function messageEntry({ message, item }, onDelete, revealRun) {
  const role = message?.role ?? item.role;
  const id = message?.id ?? item.id;
  const status = message?.status ?? item.status;
  const parts = message
    ? message.content.map(threadPart)
    : (Array.isArray(item.content) ? item.content : []).map(itemPart);
  const attachments = (message?.attachments ?? []).map((attachment) => {
    const tools = attachment.tools.map((tool) => tool.type).join(', ');
    return chip(`attachment: ${attachment.file_id}${tools ? ` (${tools})` : ''}`, 'file');
  });
  return el(
    'li',
    { class: `entry message role-${role}`, 'data-id': id, 'data-status': status, 'data-run-id': message?.run_id },
    el(
      'div',
      { class: 'entry-head' },
      el('span', { class: 'role', text: role }),
      message ? timeOf(message.created_at) : null,
      status && status !== 'completed' && chip(status, 'status'),
      message?.run_id && revealRun && runLink(message.run_id, revealRun),
      el('code', { class: 'id', text: id }),
      deleteButton(`Delete message ${id}`, onDelete),
    ),
    el('div', { class: 'content' }, parts.length > 0 ? parts : el('p', { class: 'muted', text: '(no content)' })),
    attachments.length > 0 && el('div', { class: 'chips' }, attachments),
    metadataList(message?.metadata, `metadata of ${id}`),
  );
}

/** JSON text indented for reading; any other text as it is. */
export function pretty(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

const short = (value, length = 80) => (value.length > length ? `${value.slice(0, length - 1)}…` : value);
const oneLine = (value) =>
  short(
    String(value ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
  );

/** What a card says in its one-line summary, and what it shows when opened. */
function cardOf(item) {
  switch (item.type) {
    case 'function_call':
      return {
        label: 'Tool call',
        title: `${item.name}(${oneLine(item.arguments)})`,
        body: [el('pre', { text: pretty(item.arguments) })],
      };
    case 'function_call_output': {
      const output = typeof item.output === 'string' ? item.output : JSON.stringify(item.output);
      return { label: 'Tool output', title: oneLine(output), body: [el('pre', { text: pretty(item.output) })] };
    }
    case 'reasoning': {
      const summary = (item.summary ?? []).map((part) => part.text);
      const content = (item.content ?? []).map((part) => part.text);
      const shown = [...summary, ...content];
      return {
        label: 'Reasoning',
        title: oneLine(shown[0] ?? (item.encrypted_content ? '(encrypted)' : '(empty)')),
        body:
          shown.length > 0 ? shown.map(text) : [el('p', { class: 'muted', text: 'Only encrypted content is stored.' })],
      };
    }
    default:
      return {
        label: item.type.replace(/_/g, ' '),
        title: oneLine(item.name ?? item.status ?? ''),
        body: [el('pre', { text: pretty(item) })],
      };
  }
}

/** A non-message item as a compact card: one line that opens (with the keyboard too) to its whole content. */
export function itemCard(item) {
  const { label, title, body } = cardOf(item);
  const callId = item.call_id && el('code', { class: 'id', text: item.call_id, title: 'call_id' });
  return el(
    'li',
    { class: `entry card type-${item.type}`, 'data-id': item.id },
    el(
      'details',
      {},
      el(
        'summary',
        {},
        el('span', { class: 'card-label', text: label }),
        el('span', { class: 'card-title', text: title }),
        callId,
      ),
      el('div', { class: 'card-body' }, body, el('code', { class: 'id', text: item.id })),
    ),
  );
}
