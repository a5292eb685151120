// One run as a card: a summary line (status, model, when, how long, tokens) that opens to its timings,
// usage, error, pending tool calls and steps. Pure rendering: runs.js fetches and keeps it current.
import { chip, el, timeOf } from './dom.js';
import { pretty } from './entries.js';

/** The statuses in which a run can still change (RUNS.md: the SDKs poll while queued, in_progress, cancelling). */
export const ACTIVE = new Set(['queued', 'in_progress', 'cancelling', 'requires_action']);

export const runAnchor = (runId) => `run-${runId}`;

/** A span of whole seconds, as the API's times are. */
export function duration(seconds) {
  if (seconds < 1) return '< 1 s';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** When the run (or step) ended, and how: the first of its end times that is set. */
function endOf(object) {
  for (const [field, label] of [
    ['completed_at', 'completed'],
    ['failed_at', 'failed'],
    ['cancelled_at', 'cancelled'],
    ['expired_at', 'expired'],
  ])
    if (typeof object[field] === 'number') return { at: object[field], label };
  return null;
}

const tokens = (usage) => (usage ? `${usage.total_tokens} tokens` : null);
const statusChip = (status) => chip(status.replace(/_/g, ' '), `status run-status status-${status}`);

function pairs(label, rows) {
  const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== false);
  return el(
    'dl',
    { class: 'pairs', 'aria-label': label },
    shown.map(([key, value]) => el('div', { 'data-key': key }, el('dt', { text: key }), el('dd', {}, value))),
  );
}

function usageText(usage) {
  if (!usage) return null;
  return `${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion = ${usage.total_tokens}`;
}

/** Any object's link to a place on this page; `reveal` brings it into view (loading more when needed). */
function pageLink(text, anchor, reveal, title) {
  return el('a', {
    href: `#${anchor}`,
    class: 'chip link',
    title,
    text,
    onclick: (event) => {
      event.preventDefault();
      reveal();
    },
  });
}

function toolCall(call) {
  const output = call.function.output;
  return el(
    'li',
    { class: 'tool-call', 'data-call-id': call.id },
    el(
      'div',
      { class: 'tool-call-head' },
      el('code', { class: 'tool-name', text: `${call.function.name}()` }),
      el('code', { class: 'id', text: call.id, title: 'tool call id' }),
    ),
    el('p', { class: 'small muted label', text: 'Arguments' }),
    el('pre', { class: 'arguments', text: pretty(call.function.arguments) }),
    el('p', { class: 'small muted label', text: 'Output' }),
    output === null || output === undefined
      ? el('p', { class: 'output muted', text: 'No output yet.' })
      : el('pre', { class: 'output', text: pretty(output) }),
  );
}

function stepEntry(step, { revealMessage }) {
  const end = endOf(step);
  const details = step.step_details;
  const messageId = details.message_creation?.message_id;
  return el(
    'li',
    { class: `step type-${step.type}`, 'data-id': step.id },
    el(
      'div',
      { class: 'entry-head' },
      el('span', { class: 'step-label', text: step.type === 'tool_calls' ? 'Tool calls' : 'Message' }),
      statusChip(step.status),
      timeOf(step.created_at),
      end && el('span', { class: 'took', text: duration(end.at - step.created_at) }),
      step.usage && el('span', { class: 'tokens', title: usageText(step.usage), text: tokens(step.usage) }),
      el('code', { class: 'id', text: step.id }),
    ),
    messageId &&
      el(
        'div',
        { class: 'chips' },
        pageLink(`message ${messageId}`, `message-${messageId}`, () => revealMessage(messageId), 'Show the message'),
      ),
    (details.tool_calls ?? []).length > 0 && el('ol', { class: 'tool-calls' }, details.tool_calls.map(toolCall)),
    step.last_error && el('p', { class: 'error', text: `${step.last_error.code}: ${step.last_error.message}` }),
  );
}

/** The summary line's parts. */
export function runSummary(run) {
  const end = endOf(run);
  return [
    el('span', { class: 'card-label', text: 'Run' }),
    statusChip(run.status),
    el('code', { class: 'run-model', text: run.model }),
    timeOf(run.created_at),
    end && el('span', { class: 'took', title: 'from created to ended', text: duration(end.at - run.created_at) }),
    run.usage && el('span', { class: 'tokens', text: tokens(run.usage) }),
    el('code', { class: 'id', text: run.id }),
  ];
}

/** The opened card's parts; `steps` is the run's steps oldest first, or null before they are loaded. */
export function runBody(run, steps, links) {
  const end = endOf(run);
  const pending = run.required_action?.submit_tool_outputs.tool_calls ?? [];
  return [
    run.last_error &&
      el('p', { class: 'error run-error', text: `Failed (${run.last_error.code}): ${run.last_error.message}` }),
    run.incomplete_details &&
      el('p', { class: 'warning run-incomplete', text: `Incomplete: ${run.incomplete_details.reason}` }),
    pending.length > 0 &&
      el(
        'div',
        { class: 'required-action' },
        el('p', { class: 'warning', text: `Waiting for the output of ${pending.length} tool call(s):` }),
        el(
          'ol',
          { class: 'tool-calls' },
          pending.map((call) => toolCall({ ...call, function: { ...call.function, output: null } })),
        ),
      ),
    pairs(`timings and usage of ${run.id}`, [
      ['assistant', el('code', { text: run.assistant_id })],
      ['created', timeOf(run.created_at)],
      ['started', run.started_at !== null && timeOf(run.started_at)],
      [end?.label ?? 'ended', end && timeOf(end.at)],
      // From creation to the end: queueing and any wait for tool outputs included (started_at is the last start).
      ['duration', end && duration(end.at - run.created_at)],
      ['expires', ACTIVE.has(run.status) && run.expires_at !== null && timeOf(run.expires_at)],
      ['usage', usageText(run.usage)],
      ['tools', run.tools.length > 0 && run.tools.map((tool) => tool.function?.name ?? tool.type).join(', ')],
      [
        'metadata',
        Object.entries(run.metadata ?? {})
          .map(([key, value]) => `${key}=${value}`)
          .join(', ') || null,
      ],
    ]),
    el('h3', { text: 'Steps' }),
    steps === null
      ? el('p', { class: 'muted', text: 'Loading steps…' })
      : steps.length === 0
        ? el('p', { class: 'muted no-steps', text: ACTIVE.has(run.status) ? 'No steps yet.' : 'No steps.' })
        : el(
            'ol',
            { class: 'steps', 'aria-label': `steps of ${run.id}, oldest first` },
            steps.map((step) => stepEntry(step, links)),
          ),
  ];
}
