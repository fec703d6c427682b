import { Command } from '@nestjs/cqrs';

/** A client ends its session: the family of its refresh token is revoked. */
export class LogoutCommand extends Command<void> {
  constructor(readonly refreshToken: string) {
    super();
  }
}
