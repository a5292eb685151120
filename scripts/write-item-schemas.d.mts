/** The module src/schemas/conversation-item-definitions.ts holds, generated from the spec's text. */
export function renderItemSchemas(specText: string): string;
