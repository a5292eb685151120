const FILLER =
  'The quick brown fox jumps over the lazy dog while the assistant drafts a careful answer about threads, ' +
  'cursors and pagination. ';

/** A message of about 200 characters, the same size for every `i`, so seeded and created messages match. */
export const messageText = (i) => `Message ${String(i).padStart(8, '0')}. ${FILLER}${FILLER}`.slice(0, 200);
