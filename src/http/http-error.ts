export type HttpErrorCode =
  | 'bad_json'
  | 'not_an_object'
  | 'nested_too_deep'
  | 'bad_signature'
  | 'bad_token'
  | 'unknown_calendar'
  | 'body_too_large'
  | 'unsupported_media_type'
  | 'not_found'
  | 'bad_request'
  | 'not_ready'
  | 'internal';

/** The one error type of the HTTP layer; the error handler turns it into the JSON answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The JSON answer for an error. */
export function errorBody(error: HttpError): { error: HttpErrorCode; message: string } {
  return { error: error.code, message: error.message };
}

/** The database is out of reach: `/readyz` and every request that needed it say so alike. */
export function notReady(): HttpError {
  return new HttpError(503, 'not_ready', 'The database cannot be reached. Try again shortly.');
}
