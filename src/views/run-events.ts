import type { RunEvent } from '../runs/run-bus.js';
import type { AssistantStreamEvent } from '../schemas/run-stream-events.js';

/** One server-sent event as it goes out (`event: <name>`, `data: <json>`), as the document describes it. */
export type WireEvent = Exclude<AssistantStreamEvent, { event: 'done' }>;

/**
 * The one place a run's events become the hosted API's stream events (RUNS.md, Streams): lifecycle events
 * carry the whole object as it is then, deltas a delta object the SDKs can merge (strings concatenated,
 * arrays merged by `index`).
 */
export function toWireEvent(event: RunEvent): WireEvent {
  switch (event.type) {
    case 'thread.created':
      return { event: 'thread.created', data: event.thread };
    case 'run.created':
      return { event: 'thread.run.created', data: event.run };
    case 'run.status':
      return { event: `thread.run.${event.run.status}`, data: event.run };
    case 'step.created':
      return { event: 'thread.run.step.created', data: event.step };
    case 'step.status':
      return { event: `thread.run.step.${event.step.status}`, data: event.step };
    case 'step.delta':
      return {
        event: 'thread.run.step.delta',
        data: {
          id: event.stepId,
          object: 'thread.run.step.delta',
          delta: { step_details: { type: 'tool_calls', tool_calls: [event.toolCall] } },
        },
      };
    case 'message.created':
      return { event: 'thread.message.created', data: event.message };
    case 'message.status':
      return { event: `thread.message.${event.message.status}`, data: event.message };
    case 'message.delta':
      return {
        event: 'thread.message.delta',
        data: {
          id: event.messageId,
          object: 'thread.message.delta',
          delta: {
            content: [
              {
                index: 0,
                type: 'text',
                text: event.first ? { value: event.text, annotations: [] } : { value: event.text },
              },
            ],
          },
        },
      };
  }
}
