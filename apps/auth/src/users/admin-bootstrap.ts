import { APP_CONFIG } from '@commerce/platform';
import { ConflictException, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { AuthConfig } from '../auth.config.ts';
import { RegisterUserCommand } from './register-user.command.ts';
import { ADMIN, CUSTOMER } from './user.entity.ts';
import { UsersRepository } from './users.repository.ts';

/**
 * Registers the admin named by ADMIN_EMAIL / ADMIN_PASSWORD at start-up when it does not exist,
 * through the same use case as any registration (so it too publishes `user.created`).
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly users: UsersRepository,
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  // The CQRS module is global, so its bootstrap hook (which registers the handlers) runs before this one.
  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL, ADMIN_PASSWORD } = this.config;
    if (!ADMIN_EMAIL || !ADMIN_PASSWORD) return;
    const email = ADMIN_EMAIL.trim().toLowerCase();
    if (await this.users.findByEmail(email)) return;
    try {
      await this.commands.execute(new RegisterUserCommand(email, 'Administrator', ADMIN_PASSWORD, [CUSTOMER, ADMIN]));
      this.logger.log(`Created the admin ${email}`);
    } catch (error) {
      // Replicas starting together race here; the unique email lets one win and the rest skip.
      if (!(error instanceof ConflictException)) throw error;
    }
  }
}
