/** The store's clock: Unix seconds, as every `created_at` is stored. */
export const now = () => Math.floor(Date.now() / 1000);
