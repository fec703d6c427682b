import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from './tracing.ts';

/**
 * Sends the buffered spans when the app closes. Provided by the root module, whose shutdown hooks
 * run after every other module's: the relay's and consumers' last spans are in.
 */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  private stop?: () => Promise<void>;

  /** What else to do once flushed (runApp: shut the SDK down). */
  onClosed(stop: () => Promise<void>): void {
    this.stop = stop;
  }

  async onApplicationShutdown(): Promise<void> {
    await flushTracing().catch(() => undefined);
    await this.stop?.().catch(() => undefined);
  }
}
