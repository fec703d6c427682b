/** One server-sent event as a client reads it (only the fields the tests look at). */
export interface ReadServerSentEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** An open `text/event-stream` response, read as it arrives. */
export interface OpenEventStream {
  response: Response;
  /** Everything received so far. */
  text(): string;
  /** The complete events received so far (comments and the retry line left out). */
  events(): ReadServerSentEvent[];
  /** Resolves when the server ends the stream or the test closes it; rejects if reading fails (a reset). */
  ended: Promise<void>;
  close(): void;
}

/** Opens a stream at `url` with `token` as Bearer (none: the URL carries it, or nothing does), and reads it as it arrives. */
export async function openEventStream(url: string, token?: string): Promise<OpenEventStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: abort.signal,
  });
  let text = '';
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch (error) {
      // Only the test's own close() ends a stream without its last chunk: anything else is a
      // broken connection, not a clean end, and whoever awaits `ended` sees it fail.
      if (!abort.signal.aborted) throw error;
    }
  })();
  // A stream nobody awaits may still break (its app closing at the end of the file): not a failure there.
  ended.catch(() => undefined);
  const events = () =>
    text
      .split('\n\n')
      .slice(0, -1)
      .map((block) => {
        const event: ReadServerSentEvent = {};
        for (const line of block.split('\n')) {
          const match = /^(id|event|data): (.*)$/.exec(line);
          if (match) event[match[1] as keyof ReadServerSentEvent] = match[2];
        }
        return event;
      })
      .filter((e) => e.event);
  return { response, text: () => text, events, ended, close: () => abort.abort() };
}
