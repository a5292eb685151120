// The tenant's threads, newest first, a page at a time with the API's cursors; the page's state lives in
// the URL (?filter=…&after=… or &before=…), so a reload or a shared link shows the same page.
import { api } from './api.js';
import { chip, el, errorBox, show, timeOf } from './dom.js';

const PAGE_SIZE = 20;

/** "project=demo, team=core" as pairs; throws on a part without `key=`. */
export function parseFilter(text) {
  const pairs = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const equals = part.indexOf('=');
    const key = equals > 0 ? part.slice(0, equals).trim() : '';
    if (key === '')
      throw new Error(`Write the filter as key=value (several separated by commas), not '${part.trim()}'.`);
    pairs.push([key, part.slice(equals + 1).trim()]);
  }
  return pairs;
}

function listUrl(filter, cursor) {
  const params = new URLSearchParams();
  if (filter) params.set('filter', filter);
  if (cursor) params.set(...cursor);
  const query = params.toString();
  return query ? `/ui?${query}` : '/ui';
}

function findForm(navigate) {
  const input = el('input', {
    id: 'find-id',
    name: 'id',
    placeholder: 'thread_…',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  return el(
    'form',
    {
      class: 'tool',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        const id = input.value.trim();
        if (id) navigate(`/ui/threads/${encodeURIComponent(id)}`);
      },
    },
    el('label', { for: 'find-id', text: 'Open by id' }),
    el('div', { class: 'row' }, input, el('button', { type: 'submit', text: 'Open' })),
  );
}

function filterForm(filter, navigate) {
  const input = el('input', {
    id: 'filter',
    name: 'filter',
    value: filter,
    placeholder: 'key=value, key2=value2',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  return el(
    'form',
    {
      class: 'tool',
      onsubmit: (event) => {
        event.preventDefault();
        navigate(listUrl(input.value.trim()));
      },
    },
    el('label', { for: 'filter', text: 'Filter by metadata' }),
    el(
      'div',
      { class: 'row' },
      input,
      el('button', { type: 'submit', text: 'Filter' }),
      filter && el('a', { class: 'button quiet', href: '/ui', text: 'Clear' }),
    ),
  );
}

function threadRow(thread) {
  const href = `/ui/threads/${encodeURIComponent(thread.id)}`;
  const pairs = Object.entries(thread.metadata ?? {}).map(([key, value]) => chip(`${key}: ${value}`));
  return el(
    'li',
    { class: 'thread-row' },
    el('a', { href, class: 'thread-link' }, el('code', { text: thread.id })),
    timeOf(thread.created_at),
    pairs.length > 0 && el('div', { class: 'chips' }, pairs),
  );
}

export async function renderThreadList(view, params, { navigate }) {
  const filter = params.get('filter') ?? '';
  const after = params.get('after');
  const before = after ? null : params.get('before');
  let pairs = [];
  let filterError = null;
  try {
    pairs = parseFilter(filter);
  } catch (error) {
    filterError = error;
  }
  const query = [['limit', String(PAGE_SIZE)], ...pairs.map(([key, value]) => [`metadata[${key}]`, value])];
  if (after) query.push(['after', after]);
  if (before) query.push(['before', before]);
  const page = filterError ? { data: [], has_more: false } : await api('GET', '/threads', query);

  // Newest first: "newer" walks back with `before`, "older" on with `after`.
  const newer = Boolean(after) || (Boolean(before) && page.has_more);
  const older = Boolean(before) || (!before && page.has_more);
  const pager = el(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    newer &&
      page.data.length > 0 &&
      el('a', { class: 'button', href: listUrl(filter, ['before', page.first_id]), rel: 'prev', text: '← Newer' }),
    older &&
      page.data.length > 0 &&
      el('a', { class: 'button', href: listUrl(filter, ['after', page.last_id]), rel: 'next', text: 'Older →' }),
  );
  const empty = filter
    ? 'No thread has this metadata.'
    : after || before
      ? 'No more threads.'
      : 'No threads stored yet.';
  show(
    view,
    el('h1', { tabindex: '-1', text: 'Threads' }),
    el('div', { class: 'tools' }, findForm(navigate), filterForm(filter, navigate)),
    filterError && errorBox(filterError),
    page.data.length > 0
      ? el('ol', { class: 'thread-list', 'aria-label': 'Threads, newest first' }, page.data.map(threadRow))
      : !filterError && el('p', { class: 'muted empty', text: empty }),
    pager,
  );
}
