import { APP_CONFIG } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AuthConfig } from '../auth.config.ts';
import { hashPassword } from './passwords.ts';
import { ADMIN, CUSTOMER } from './user.entity.ts';
import { UsersRepository } from './users.repository.ts';

/** Creates the admin named by ADMIN_EMAIL / ADMIN_PASSWORD at start-up when it does not exist. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL, ADMIN_PASSWORD } = this.config;
    if (!ADMIN_EMAIL || !ADMIN_PASSWORD) return;
    const email = ADMIN_EMAIL.trim().toLowerCase();
    if (await this.users.findByEmail(email)) return;
    // Replicas starting together race here; the unique email lets one win and the rest skip.
    const created = await this.users.create({
      email,
      name: 'Administrator',
      passwordHash: await hashPassword(ADMIN_PASSWORD),
      roles: [CUSTOMER, ADMIN],
    });
    if (created) this.logger.log(`Created the admin ${email}`);
  }
}
