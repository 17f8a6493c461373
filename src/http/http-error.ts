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
  | 'timeout'
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
