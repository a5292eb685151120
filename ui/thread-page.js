// One thread at /ui/threads/{id}: its metadata and tool resources, its runs newest first, then its history
// oldest first, "Load more" at the end. Messages a run writes appear as the run goes on.
import { api, pathId } from './api.js';
import { chip, confirmAction, el, errorBox, metadataList, timeOf } from './dom.js';
import { itemCard, messageEntry } from './entries.js';
import { openRuns } from './runs.js';
import { openTimeline } from './timeline.js';

function toolResources(resources) {
  const rows = [];
  for (const fileId of resources?.code_interpreter?.file_ids ?? [])
    rows.push(chip(`code_interpreter file: ${fileId}`, 'file'));
  for (const storeId of resources?.file_search?.vector_store_ids ?? [])
    rows.push(chip(`file_search vector store: ${storeId}`, 'file'));
  return rows.length > 0 ? el('div', { class: 'chips', 'aria-label': 'tool resources' }, rows) : null;
}

function section(title, body) {
  return el(
    'section',
    { class: 'facts' },
    el('h2', { text: title }),
    body ?? el('p', { class: 'muted', text: 'none' }),
  );
}

export async function renderThread(view, threadId, { navigate }) {
  const thread = await api('GET', `/threads/${pathId(threadId)}`);
  const timeline = await openTimeline(thread.id);

  const list = el('ol', { class: 'timeline', 'aria-label': 'Messages, oldest first' });
  const status = el('p', { class: 'muted', role: 'status' });
  const more = el('button', { type: 'button', class: 'more', text: 'Load more' });

  const deleteMessage = (id) => async (event) => {
    const entry = event.currentTarget.closest('.entry');
    if (!(await confirmAction(`Delete message ${id}? This cannot be undone.`, 'Delete message'))) return;
    try {
      await api('DELETE', `/threads/${pathId(thread.id)}/messages/${pathId(id)}`);
      entry.remove();
    } catch (error) {
      entry.append(errorBox(error));
    }
  };
  const runs = openRuns(thread.id, { revealMessage, onRunRead: refreshRunMessages });
  // Messages the thread view shows can be deleted through it; any other item is only shown.
  const entryOf = (entry) => {
    if (entry.message) return messageEntry(entry, deleteMessage(entry.message.id), runs.reveal);
    return entry.item.type === 'message' ? messageEntry(entry, null) : itemCard(entry.item);
  };

  async function loadPage() {
    more.disabled = true;
    status.textContent = 'Loading…';
    try {
      const { entries, hasMore } = await timeline.next();
      list.append(...entries.map(entryOf));
      more.hidden = !hasMore;
      const count = list.children.length;
      status.textContent =
        count === 0 ? 'This thread has no messages.' : `${count} shown${hasMore ? ', more below' : ''}.`;
    } catch (error) {
      status.replaceChildren(errorBox(error));
    } finally {
      more.disabled = false;
    }
  }
  // One page at a time: a run's new messages and a click on "Load more" read on from the same cursor.
  let loading = Promise.resolve();
  const loadMore = () => {
    loading = loading.then(loadPage);
    return loading;
  };
  more.addEventListener('click', loadMore);

  const entryById = (id) => [...list.children].find((entry) => entry.dataset.id === id);

  /**
   * A run was read again: its unfinished messages are too (their text grows as the model writes), and when it
   * changed or one of its steps names a message not shown, its new messages are added if the end of the
   * timeline is shown.
   */
  async function refreshRunMessages(run, changed, steps) {
    const missing = (steps ?? []).some((step) => {
      const id = step.step_details.message_creation?.message_id;
      return id !== undefined && !entryById(id);
    });
    if (!changed && !missing && run.status !== 'in_progress') return;
    const unfinished = [...list.children].filter(
      (entry) => entry.dataset.runId === run.id && entry.dataset.status !== 'completed',
    );
    for (const entry of unfinished) {
      try {
        const message = await api('GET', `/threads/${pathId(thread.id)}/messages/${pathId(entry.dataset.id)}`);
        entry.replaceWith(entryOf({ message }));
      } catch (error) {
        entry.append(errorBox(error));
      }
    }
    if ((changed || missing) && more.hidden) await loadMore();
  }

  async function revealMessage(id) {
    while (!entryById(id) && !more.hidden) await loadMore();
    const entry = entryById(id);
    if (!entry) return;
    entry.tabIndex = -1;
    entry.scrollIntoView({ block: 'start' });
    entry.focus({ preventScroll: true });
  }

  const deleteThread = el('button', {
    type: 'button',
    class: 'danger',
    text: 'Delete thread',
    onclick: async () => {
      if (
        !(await confirmAction(
          `Delete thread ${thread.id} and all its messages? This cannot be undone.`,
          'Delete thread',
        ))
      )
        return;
      try {
        await api('DELETE', `/threads/${pathId(thread.id)}`);
        navigate('/ui');
      } catch (error) {
        view.prepend(errorBox(error));
      }
    },
  });

  view.replaceChildren(
    el('nav', { class: 'crumbs' }, el('a', { href: '/ui', text: '← All threads' })),
    el(
      'div',
      { class: 'thread-head' },
      el('h1', { tabindex: '-1' }, el('code', { text: thread.id })),
      el('div', { class: 'row' }, el('span', { class: 'muted' }, 'created ', timeOf(thread.created_at)), deleteThread),
    ),
    el(
      'div',
      { class: 'facts-row' },
      section('Metadata', metadataList(thread.metadata, 'thread metadata')),
      section('Tool resources', toolResources(thread.tool_resources)),
    ),
    runs.section,
    el('p', {
      class: 'muted small source',
      text:
        timeline.source === 'items'
          ? 'Read as conversation items (tool calls and reasoning included).'
          : 'Read as thread messages.',
    }),
    list,
    status,
    more,
  );
  await Promise.all([loadMore(), runs.load().catch((error) => runs.section.append(errorBox(error)))]);
}
