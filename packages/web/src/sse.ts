// Server-sent events read from a fetch body. EventSource cannot send headers, and the page signs
// in with a header (connection.ts), so it reads the stream itself: events are blocks of
// `field: value` lines ended by a blank line (`event`, `data`, `retry`; `:` starts a comment),
// as the HTML standard's event-stream format says (lines end in LF or CRLF; our server sends LF).

export interface SseHandlers {
  event(type: string, data: string): void;
  /** The server asked for another reconnection delay (ms). */
  retry?(ms: number): void;
}

/** A parser that takes the stream's text in chunks of any size. */
export function sseParser(handlers: SseHandlers): { push(text: string): void } {
  /** The unfinished line, in pieces: a snapshot's one long line arrives in many chunks. */
  let pending: string[] = [];
  let type = '';
  let data: string[] = [];

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) handlers.event(type || 'message', data.join('\n'));
      type = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry' && /^\d+$/.test(value)) handlers.retry?.(Number(value));
  };

  return {
    push(text) {
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        let piece = text.slice(start, end);
        if (pending.length > 0) {
          piece = pending.join('') + piece;
          pending = [];
        }
        line(piece.endsWith('\r') ? piece.slice(0, -1) : piece);
        start = end + 1;
      }
      if (start < text.length) pending.push(text.slice(start));
    },
  };
}
