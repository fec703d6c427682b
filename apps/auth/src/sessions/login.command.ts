import { Command } from '@nestjs/cqrs';
import type { TokenPair } from './token-pair.view.ts';

/** Someone logs in with an email and password, from a client address. */
export class LoginCommand extends Command<TokenPair> {
  constructor(
    /** Already normalised (trimmed, lower-cased). */
    readonly email: string,
    readonly password: string,
    readonly address: string,
  ) {
    super();
  }
}
