type Operation = {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: { required?: string[] } }> };
};

/**
 * @fastify/swagger marks every request body required, but ours may be omitted (an empty body reads as `{}`)
 * wherever the body schema requires no property: create and modify thread, modify message.
 */
export function markOptionalBodies(paths: Record<string, Record<string, Operation>>): void {
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const body = operation.requestBody;
      const schema = body?.content?.['application/json']?.schema;
      if (body && schema && !schema.required?.length) body.required = false;
    }
  }
}
