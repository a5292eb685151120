// A thread's runs, newest first, as cards. Runs that can still change are read again every POLL_MS while
// the page is visible, until they end; an opened card loads its steps (and keeps them current the same way).
import { ApiError, api, pathId } from './api.js';
import { el, errorBox, show } from './dom.js';
import { ACTIVE, runAnchor, runBody, runSummary } from './run-card.js';

const PAGE_SIZE = 20;
/** The server asks the SDKs to wait 500 ms between polls; a page someone watches can wait twice that. */
export const POLL_MS = 1000;

async function allSteps(threadId, runId) {
  const steps = [];
  let after = null;
  for (;;) {
    const query = [
      ['order', 'asc'],
      ['limit', '100'],
    ];
    if (after) query.push(['after', after]);
    const page = await api('GET', `/threads/${pathId(threadId)}/runs/${pathId(runId)}/steps`, query);
    steps.push(...page.data);
    if (!page.has_more || !page.last_id) return steps;
    after = page.last_id;
  }
}

/**
 * The runs section of a thread page. `revealMessage(id)` shows a message of the timeline; `onRunRead(run,
 * changed, steps)` is told each time a polled run was read (with its steps when its card is open): it may
 * have written messages (`changed`: it or its steps changed), or, `in_progress`, be writing one.
 */
export function openRuns(threadId, { revealMessage, onRunRead }) {
  const cards = new Map();
  const list = el('ol', { class: 'run-list', 'aria-label': 'Runs, newest first' });
  const live = el('p', { class: 'muted small run-news', 'aria-live': 'polite' });
  const more = el('button', { type: 'button', class: 'quiet more-runs', text: 'Load more runs', hidden: true });
  const section = el(
    'section',
    { class: 'runs', 'aria-labelledby': 'runs-title' },
    el('h2', { id: 'runs-title', text: 'Runs' }),
    list,
    live,
    more,
  );
  const links = { revealMessage };
  let after = null;
  let timer = null;
  let polling = false;

  function paint(card) {
    show(card.summary, runSummary(card.run));
    card.li.dataset.status = card.run.status;
    if (card.details.open) show(card.body, runBody(card.run, card.steps, links));
  }

  async function loadSteps(card) {
    card.steps = await allSteps(threadId, card.run.id);
    paint(card);
  }

  function cardOf(run, open) {
    const summary = el('summary', {});
    const body = el('div', { class: 'card-body run-body' });
    const details = el('details', { open }, summary, body);
    const li = el('li', { class: 'run card', id: runAnchor(run.id), 'data-id': run.id }, details);
    const card = { run, steps: null, li, details, summary, body };
    // Also fired for a card created open.
    details.addEventListener('toggle', () => {
      if (!details.open) return;
      paint(card);
      loadSteps(card).catch((error) => card.body.append(errorBox(error)));
    });
    paint(card);
    return card;
  }

  async function loadPage() {
    more.disabled = true;
    try {
      const query = [['limit', String(PAGE_SIZE)]];
      if (after) query.push(['after', after]);
      const page = await api('GET', `/threads/${pathId(threadId)}/runs`, query);
      for (const run of page.data) {
        // The newest run is the one a reader most likely came for: it starts open.
        const card = cardOf(run, cards.size === 0);
        cards.set(run.id, card);
        list.append(card.li);
      }
      if (page.last_id) after = page.last_id;
      more.hidden = !page.has_more;
      if (cards.size === 0) list.replaceWith(el('p', { class: 'muted', text: 'No runs.' }));
      schedule();
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => loadPage().catch((error) => live.replaceChildren(errorBox(error))));

  /** Reads an unfinished run (and its steps when shown) again; true when anything changed. */
  async function refresh(card) {
    const path = `/threads/${pathId(threadId)}/runs/${pathId(card.run.id)}`;
    const run = await api('GET', path);
    const steps = card.details.open ? await allSteps(threadId, run.id) : card.steps;
    const changed = JSON.stringify([run, steps]) !== JSON.stringify([card.run, card.steps]);
    if (run.status !== card.run.status) live.textContent = `Run ${run.id} is ${run.status.replace(/_/g, ' ')}.`;
    Object.assign(card, { run, steps });
    if (changed) paint(card);
    return changed;
  }

  const watching = () => section.isConnected && [...cards.values()].some((card) => ACTIVE.has(card.run.status));

  function schedule() {
    if (timer !== null || polling || document.hidden || !watching()) return;
    timer = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    timer = null;
    polling = true;
    try {
      for (const card of cards.values()) {
        if (!ACTIVE.has(card.run.status) || !section.isConnected) continue;
        onRunRead(card.run, await refresh(card), card.steps);
      }
    } catch (error) {
      live.replaceChildren(errorBox(error));
      // The thread or run is gone, or the key no longer works: reading again will not help.
      if (error instanceof ApiError && error.status < 500) return;
    } finally {
      polling = false;
    }
    schedule();
  }

  function onVisibility() {
    if (!section.isConnected) return document.removeEventListener('visibilitychange', onVisibility);
    if (document.hidden) {
      clearTimeout(timer);
      timer = null;
    } else schedule();
  }
  document.addEventListener('visibilitychange', onVisibility);

  /** Opens a run's card, loading older runs until it is there, and moves the focus to it. */
  async function reveal(runId) {
    while (!cards.has(runId) && !more.hidden) await loadPage();
    const card = cards.get(runId);
    if (!card) return;
    card.details.open = true;
    card.li.scrollIntoView({ block: 'start' });
    card.summary.focus({ preventScroll: true });
  }

  return { section, load: loadPage, reveal };
}
