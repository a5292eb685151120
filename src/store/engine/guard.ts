/** Wraps store operations so that an engine's failures become the store's errors (the API's 503s) as they leave the store. */
export const guardWith =
  (toStoreError: (error: unknown) => unknown) =>
  <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    try {
      return await operation(...args);
    } catch (error) {
      throw toStoreError(error);
    }
  };
