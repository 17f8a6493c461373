import { StoreUnavailableError } from '../store/store-unavailable.error.js';

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

export const BODY_LIMIT = 64 * 1024;

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

/** Client mistakes keep their 4xx; anything unexpected is a 500 that names nothing internal. */
export function toHttpError(error: Error & { statusCode?: number; code?: string }): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreUnavailableError) return notReady();
  const status = error.statusCode;
  if (status === 413) return new HttpError(413, 'body_too_large', `The body is over ${BODY_LIMIT} bytes.`);
  if (status === 415) return unsupportedMediaType();
  if (status !== undefined && status >= 400 && status < 500) {
    return new HttpError(status, 'bad_request', error.message);
  }
  return new HttpError(500, 'internal', 'Something went wrong on our side.');
}

export function unsupportedMediaType(): HttpError {
  return new HttpError(415, 'unsupported_media_type', 'Send the body as application/json in UTF-8.');
}
