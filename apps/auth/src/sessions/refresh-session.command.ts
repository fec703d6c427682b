import { Command } from '@nestjs/cqrs';
import type { TokenPair } from './token-pair.view.ts';

/** A client trades its refresh token for a new pair. */
export class RefreshSessionCommand extends Command<TokenPair> {
  constructor(readonly refreshToken: string) {
    super();
  }
}
