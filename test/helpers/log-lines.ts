/** What every diagnostic line looks like: time, level, an optional scope, then the message. */
export const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info |warn |error) (\[[^\]]+\] )?\S/

/** Any character that could break a log line or a terminal: C0, DEL, C1, the line and paragraph separators. */
// deno-lint-ignore no-control-regex -- finding control characters is the point
export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/** The lines a log reader would see, from what a logger wrote: each write, cut at its line breaks. */
export const readerLines = (written: readonly string[]): string[] =>
  written.join('\n').split(/\r\n|\r|\n|\u2028|\u2029/)
