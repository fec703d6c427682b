import { Controller, Get, Header } from '@nestjs/common';
import { SigningKey } from './signing-key.ts';

/** The public keys that verify access tokens (current and previous), for the other apps and the gateway. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly key: SigningKey) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): { keys: object[] } {
    return { keys: this.key.publicJwks };
  }
}
