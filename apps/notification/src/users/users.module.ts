import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module.ts';
import { UserEventsController } from './user-events.controller.ts';
import { UsersRepository } from './users.repository.ts';
import { WelcomeUserHandler } from './welcome-user.handler.ts';

/** The app's copy of users (whom an email goes to), fed by `user.created`, which also makes the welcome email. */
@Module({
  imports: [NotificationsModule],
  controllers: [UserEventsController],
  providers: [UsersRepository, WelcomeUserHandler],
})
export class UsersModule {}
