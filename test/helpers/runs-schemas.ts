import { specConformance } from './openapi-schemas.js';

/** OpenAI's Assistants, Runs and Run Steps spec (the test fixture): run, step and stream event shapes. */
export const runsSpec = specConformance(new URL('../fixtures/openai-assistants-runs.openapi.yaml', import.meta.url), [
  'ListRunsResponse',
  'ListRunStepsResponse',
  'ListAssistantsResponse',
]);

export const expectRunConformsTo = runsSpec.expectConformsTo;
