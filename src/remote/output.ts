/**
 * Collecting a command's output: bytes kept up to a cap (the rest counted and
 * dropped, so a chatty command cannot exhaust memory), and optionally each
 * complete line handed to a callback as it arrives.
 */

export class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;
  total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine?: (line: string) => void,
  ) {}

  private partial: Buffer[] = [];
  private partialBytes = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.total += chunk.length;
    const room = this.maxBytes - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(Buffer.from(part));
      this.kept += part.length;
    }
    if (chunk.length > room) this.truncated = true;
    if (this.onLine) this.splitLines(chunk);
  }

  private splitLines(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const line = this.partial.length ? Buffer.concat([...this.partial, piece]) : piece;
      this.partial = [];
      this.partialBytes = 0;
      this.onLine!(line.toString('utf8').replace(/\r$/, ''));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.partial.push(Buffer.from(chunk.subarray(start)));
      this.partialBytes += chunk.length - start;
      // a very long line without a newline is emitted in pieces
      if (this.partialBytes >= 64 * 1024) this.flush();
    }
  }

  /** Emit a last line that had no newline. */
  flush(): void {
    if (this.onLine && this.partial.length) {
      this.onLine(Buffer.concat(this.partial).toString('utf8'));
    }
    this.partial = [];
    this.partialBytes = 0;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }
}

/**
 * Finds a marker in a stream that arrives in chunks: everything before the
 * marker is output; after it, the bytes up to the next newline are the trailer.
 */
export class TrailerScanner {
  private carry: Buffer = Buffer.alloc(0);
  private trailerBytes: Buffer[] | undefined;
  trailer: string | undefined;

  constructor(private readonly marker: Buffer) {}

  get done(): boolean {
    return this.trailer !== undefined;
  }

  /** Returns the part of `chunk` that is command output (empty once the marker was seen). */
  push(chunk: Buffer): Buffer {
    if (this.done) return Buffer.alloc(0);
    if (this.trailerBytes) {
      this.collectTrailer(chunk);
      return Buffer.alloc(0);
    }
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const at = buf.indexOf(this.marker);
    if (at >= 0) {
      this.carry = Buffer.alloc(0);
      this.trailerBytes = [];
      this.collectTrailer(buf.subarray(at + this.marker.length));
      return buf.subarray(0, at);
    }
    const keep = Math.min(buf.length, this.marker.length - 1);
    this.carry = Buffer.from(buf.subarray(buf.length - keep));
    return buf.subarray(0, buf.length - keep);
  }

  private collectTrailer(bytes: Buffer): void {
    const nl = bytes.indexOf(10);
    if (nl < 0) {
      this.trailerBytes!.push(Buffer.from(bytes));
      return;
    }
    this.trailerBytes!.push(bytes.subarray(0, nl));
    this.trailer = Buffer.concat(this.trailerBytes!).toString('utf8');
    this.trailerBytes = undefined;
  }
}
