// The item the seeders put between a thread's messages where it has hidden items: a function call as the
// Conversations API stores one (the thread view does not show it).
export const FUNCTION_CALL = {
  type: 'function_call',
  call_id: 'call_1',
  name: 'lookup',
  arguments: '{}',
  status: 'completed',
};
