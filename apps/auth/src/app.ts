import { SERVICES } from '@commerce/contracts';
import type { AppSpec } from '@commerce/platform';
import { type AuthConfig, authConfigSchema } from './auth.config.ts';
import { AuthModule } from './auth.module.ts';
import { keysApi } from './keys/keys.api.ts';
import { sessionsApi } from './sessions/sessions.api.ts';
import { usersApi } from './users/users.api.ts';

/**
 * The auth app: its HTTP prefix and port (docs/contract.md), its configuration and its root module.
 * It consumes no events (it only publishes `user.created` and `session.ended` through the outbox), so it connects no transport.
 */
export const authApp: AppSpec<AuthConfig> = {
  service: 'auth',
  prefix: SERVICES.auth.prefix,
  defaultPort: SERVICES.auth.port,
  configSchema: authConfigSchema,
  module: () => AuthModule,
  api: [...usersApi, ...sessionsApi, ...keysApi],
};
