import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One email as the SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  headers: Map<string, unknown>;
}

/** A real SMTP server for tests: apps send to `url` over SMTP and the test reads what arrived. */
export interface TestSmtpServer {
  /** e.g. smtp://127.0.0.1:41234 — the app's SMTP_URL. */
  url: string;
  messages: ReceivedMail[];
  /** Emails sent to `address`. */
  to(address: string): ReceivedMail[];
  /** Refuse every message from now on (the server answers 451), or accept again. */
  refuse(refusing: boolean): void;
  /** The most connections that were open at once, and the most messages being received at once. */
  peak(): { sessions: number; messages: number };
  close(): Promise<void>;
}

/** `delayMs`: how long the server takes to accept each message once it has it, as a real one does. */
export interface TestSmtpOptions {
  delayMs?: number;
}

/** Starts an SMTP server on a free port that keeps every message it accepts. */
export async function startTestSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  let refusing = false;
  const open = { sessions: 0, messages: 0 };
  const peak = { sessions: 0, messages: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      peak.sessions = Math.max(peak.sessions, ++open.sessions);
      callback();
    },
    onClose() {
      open.sessions--;
    },
    onData(stream, session, reply) {
      peak.messages = Math.max(peak.messages, ++open.messages);
      const callback = (error?: Error | null) => {
        const answer = () => {
          open.messages--;
          reply(error);
        };
        if (options.delayMs) setTimeout(answer, options.delayMs);
        else answer();
      };
      if (refusing) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('try again later'), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            headers: mail.headers,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (address) => messages.filter((m) => m.to.includes(address)),
    refuse: (value) => {
      refusing = value;
    },
    peak: () => ({ ...peak }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
