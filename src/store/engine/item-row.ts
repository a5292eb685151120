import type { ItemViews, NewItem } from '../records.js';

/** The rows the thread view shows: user and assistant messages. Both engines filter with it. */
export const THREAD_VIEW_SQL = `(type = 'message' AND role IN ('user', 'assistant'))`;

/** The id an item is written with: the supplied one, or a new one in its type's format. */
export const itemIdOf = (item: NewItem, views: ItemViews) => item.id ?? views.newItemId(item.type);
