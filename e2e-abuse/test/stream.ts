import { request as httpRequest } from 'node:http';

/** One notification frame as a stream wrote it. */
export interface Frame {
  id?: string;
  event?: string;
  data?: string;
}

/** A `text/event-stream` read as a browser's EventSource would, kept open until closed or ended. */
export interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Everything written so far. */
  text(): string;
  /** The frames with an event name (notifications, token-expired, …), comments and `retry:` left out. */
  frames(): Frame[];
  /** Whether the server has ended the stream. */
  ended(): boolean;
  close(): void;
}

/** Opens `url` (a stream route) with `headers`; resolves once the head is read. */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers },
      (res) => {
        let text = '';
        let ended = false;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        const end = () => (ended = true);
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: () => text,
          frames: () => parseFrames(text),
          ended: () => ended,
          close: () => {
            req.destroy();
            res.destroy();
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The events of an event stream's text, per the WHATWG rules: blank-line separated, `field: value` lines. */
export function parseFrames(text: string): Frame[] {
  const frames: Frame[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    const frame: Frame = {};
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (!line || line.startsWith(':')) continue;
      const at = line.indexOf(':');
      const field = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    }
    if (frame.event !== undefined || frame.data !== undefined) frames.push(frame);
  }
  return frames;
}
