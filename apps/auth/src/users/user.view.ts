import type { User } from './user.entity.ts';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
}

/** The caller's own profile (`GET /me`): its view and its roles. */
export interface CurrentUserView extends UserView {
  roles: string[];
}

export function toUserView(user: User): UserView {
  return { id: user.id, email: user.email, name: user.name };
}
