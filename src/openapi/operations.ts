import { ErrorResponse } from '../schemas/common.js';

/** What the document says of each operation beyond its schemas: OpenAI's summaries, grouped by resource. */
export const OPERATIONS: Record<
  string,
  { tag: 'Assistants' | 'Threads' | 'Messages' | 'Runs' | 'Conversations'; summary: string }
> = {
  createAssistant: { tag: 'Assistants', summary: 'Create an assistant with a model and instructions.' },
  listAssistants: { tag: 'Assistants', summary: 'Returns a list of assistants.' },
  getAssistant: { tag: 'Assistants', summary: 'Retrieves an assistant.' },
  modifyAssistant: { tag: 'Assistants', summary: 'Modifies an assistant.' },
  deleteAssistant: { tag: 'Assistants', summary: 'Delete an assistant.' },
  createThread: { tag: 'Threads', summary: 'Create a thread.' },
  getThread: { tag: 'Threads', summary: 'Retrieves a thread.' },
  modifyThread: { tag: 'Threads', summary: 'Modifies a thread.' },
  deleteThread: { tag: 'Threads', summary: 'Delete a thread.' },
  createMessage: { tag: 'Messages', summary: 'Create a message.' },
  listMessages: { tag: 'Messages', summary: 'Returns a list of messages for a given thread.' },
  getMessage: { tag: 'Messages', summary: 'Retrieve a message.' },
  modifyMessage: { tag: 'Messages', summary: 'Modifies a message.' },
  deleteMessage: { tag: 'Messages', summary: 'Deletes a message.' },
  createRun: { tag: 'Runs', summary: 'Create a run.' },
  createThreadAndRun: { tag: 'Runs', summary: 'Create a thread and run it in one request.' },
  listRuns: { tag: 'Runs', summary: 'Returns a list of runs belonging to a thread.' },
  getRun: { tag: 'Runs', summary: 'Retrieves a run.' },
  modifyRun: { tag: 'Runs', summary: 'Modifies a run.' },
  cancelRun: { tag: 'Runs', summary: 'Cancels a run that is `in_progress`.' },
  submitToolOuputsToRun: {
    tag: 'Runs',
    summary:
      'When a run has the `status: "requires_action"` and `required_action.type` is `submit_tool_outputs`, this endpoint can be used to submit the outputs from the tool calls once they\'re all completed. All outputs must be submitted in a single request.',
  },
  listRunSteps: { tag: 'Runs', summary: 'Returns a list of run steps belonging to a run.' },
  getRunStep: { tag: 'Runs', summary: 'Retrieves a run step.' },
  createConversation: { tag: 'Conversations', summary: 'Create a conversation.' },
  getConversation: { tag: 'Conversations', summary: 'Get a conversation' },
  updateConversation: { tag: 'Conversations', summary: 'Update a conversation' },
  deleteConversation: { tag: 'Conversations', summary: 'Delete a conversation and its items.' },
  createConversationItems: { tag: 'Conversations', summary: 'Create items in a conversation with the given ID.' },
  listConversationItems: { tag: 'Conversations', summary: 'List all items for a conversation with the given ID.' },
  getConversationItem: { tag: 'Conversations', summary: 'Get a single item from a conversation with the given IDs.' },
  deleteConversationItem: { tag: 'Conversations', summary: 'Delete an item from a conversation with the given IDs.' },
};

/** Every error status the API answers, each with the OpenAI error envelope. */
const ERROR_STATUSES: Record<number, string> = {
  400: 'Invalid request: validation, an unknown or missing parameter, a bad cursor, or OpenAI-Beta: assistants=v1.',
  401: 'No API key, or an incorrect one (only when API keys are configured).',
  404: 'No such assistant, thread, message, run, run step, conversation or item for this API key, or an unknown route.',
  413: 'Request body too large.',
  415: 'The body is not application/json.',
  429: 'Rate limit exceeded.',
  500: 'The server had an error while processing the request.',
};

export const ERROR_RESPONSES = Object.fromEntries(
  Object.entries(ERROR_STATUSES).map(([status, description]) => [
    status,
    { ...ErrorResponse, 'x-response-description': description },
  ]),
);

/** How a key is presented: `Authorization: Bearer`, or the `api-key` header Azure clients send; either one. */
export const SECURITY_SCHEMES = {
  ApiKeyAuth: { type: 'http', scheme: 'bearer' },
  AzureApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'api-key',
    description: 'The same key, as Azure clients send it.',
  },
} as const;
export const SECURITY = Object.keys(SECURITY_SCHEMES).map((name) => ({ [name]: [] }));
