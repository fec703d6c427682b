import { Module } from '@nestjs/common';
import { KeysModule } from '../keys/keys.module.ts';
import { AdminBootstrap } from './admin-bootstrap.ts';
import { GetCurrentUserHandler } from './get-current-user.query.ts';
import { RegisterUserHandler } from './register-user.handler.ts';
import { RegistrationThrottle } from './registration-throttle.ts';
import { UsersController } from './users.controller.ts';
import { UsersRepository } from './users.repository.ts';

/**
 * Users: registration (which publishes `user.created` through the outbox), the caller's profile,
 * and the admin from config. Exports the repository that login reads users from.
 */
@Module({
  // The keys that verify this app's own tokens, for GET /me.
  imports: [KeysModule],
  controllers: [UsersController],
  providers: [UsersRepository, RegistrationThrottle, RegisterUserHandler, GetCurrentUserHandler, AdminBootstrap],
  exports: [UsersRepository],
})
export class UsersModule {}
