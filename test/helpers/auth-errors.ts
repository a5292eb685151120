/** The 401 envelopes of the auth plugin, as the tests expect them whole. */
export const MISSING_KEY = {
  error: {
    message:
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    type: 'invalid_request_error',
    param: null,
    code: null,
  },
};

export const incorrectKey = (masked: string) => ({
  error: {
    message: `Incorrect API key provided: ${masked}.`,
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  },
});
