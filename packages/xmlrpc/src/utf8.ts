import { isAscii, isUtf8 } from 'node:buffer';

/**
 * Incremental UTF-8 to string: validates each chunk (invalid bytes are an error, never silently
 * replaced) and carries a character split across chunk boundaries over to the next chunk.
 */
export class Utf8Decoder {
  private carry: Buffer | null = null;

  /** Returns the text of the complete characters so far; null when the bytes are not UTF-8. */
  write(chunk: Uint8Array): string | null {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry !== null) {
      bytes = Buffer.concat([this.carry, bytes]);
      this.carry = null;
    }
    const cut = completeLength(bytes);
    if (cut < bytes.length) {
      this.carry = Buffer.from(bytes.subarray(cut));
      bytes = bytes.subarray(0, cut);
    }
    // Plain ASCII (most messages) becomes a one-byte string, which every later step reads faster.
    if (isAscii(bytes)) return bytes.toString('latin1');
    return isUtf8(bytes) ? bytes.toString('utf8') : null;
  }

  /** True when the input ended on a character boundary. */
  end(): boolean {
    return this.carry === null;
  }
}

/** Length of the prefix of `b` that does not end inside a multi-byte sequence. */
function completeLength(b: Buffer): number {
  const n = b.length;
  // Look back at most 3 bytes for the lead byte of the last sequence.
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const byte = b[i]!;
    if (byte < 0x80) return n; // ASCII: complete
    if (byte >= 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return n - i >= need ? n : i;
    }
  }
  return n; // only continuation bytes: let validation reject them
}
