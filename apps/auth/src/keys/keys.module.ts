import { ACCESS_TOKEN_KEYS } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { ForwardAuthController } from './forward-auth.controller.ts';
import { JwksController } from './jwks.controller.ts';
import { SigningKey } from './signing-key.ts';

/**
 * The key that signs access tokens: its JWKS for the other apps, the gateway's forward-auth check,
 * and the keys this app verifies its own tokens with.
 */
@Module({
  controllers: [JwksController, ForwardAuthController],
  providers: [
    SigningKey,
    // The auth app verifies its own tokens with its key in memory, not over its own JWKS. Modules
    // with @Authenticated routes import this module, so their guard finds these keys before the
    // platform's remote JWKS.
    { provide: ACCESS_TOKEN_KEYS, useFactory: (key: SigningKey) => key.verificationKeys(), inject: [SigningKey] },
  ],
  exports: [SigningKey, ACCESS_TOKEN_KEYS],
})
export class KeysModule {}
