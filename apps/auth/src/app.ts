import { SERVICES } from '@commerce/contracts';
import { type AppSpec, type BaseConfig, baseConfigSchema } from '@commerce/platform';
import { AuthModule } from './auth.module.ts';

/** The auth app: its HTTP prefix and port (CONTRACT.md), its configuration and its root module. */
export const authApp: AppSpec<BaseConfig> = {
  service: 'auth',
  prefix: SERVICES.auth.prefix,
  defaultPort: SERVICES.auth.port,
  configSchema: baseConfigSchema,
  module: () => AuthModule,
};
