import {
  type ApiRoute,
  AUTHENTICATED_PROBLEMS,
  BEARER,
  INPUT_PROBLEMS,
  json,
  problemResponses,
  PUBLIC,
} from '@commerce/platform';
import { z } from 'zod';
import type { CurrentUserView, UserView } from './user.view.ts';
import { RegisterBody } from './users.controller.ts';

// What the API shows (user.view.ts), typed against the views.
const UserViewSchema: z.ZodType<UserView> = z
  .object({ id: z.uuid(), email: z.string(), name: z.string() })
  .meta({ id: 'User' });
const CurrentUserViewSchema: z.ZodType<CurrentUserView> = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), roles: z.array(z.enum(['customer', 'admin'])) })
  .meta({ id: 'CurrentUser' });

const user: UserView = { id: '5d2c9a8e-1b47-4f0a-8c3d-6e7f9a0b1c2d', email: 'ada@example.com', name: 'Ada Lovelace' };
const tags = ['users'];

/** Registration and the caller's profile (docs/contract.md, auth). */
export const usersApi: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/register',
    operation: {
      tags,
      summary: 'Register a customer',
      description:
        'The email is trimmed and lower-cased. At most REGISTER_MAX_PER_ADDRESS registrations per client address a window, every attempt counted. Publishes `user.created`.',
      security: PUBLIC,
      requestBody: {
        required: true,
        content: json(RegisterBody, {
          email: 'ada@example.com',
          password: 'correct horse battery',
          name: 'Ada Lovelace',
        }),
      },
      responses: {
        '201': { description: 'The new user.', content: json(UserViewSchema, user) },
        ...problemResponses([409, 'The email is taken.'], 429, ...INPUT_PROBLEMS),
      },
    },
  },
  {
    method: 'get',
    path: '/me',
    operation: {
      tags,
      summary: "The caller's profile and roles",
      security: BEARER,
      responses: {
        '200': { description: 'The caller.', content: json(CurrentUserViewSchema, { ...user, roles: ['customer'] }) },
        ...problemResponses(...AUTHENTICATED_PROBLEMS),
      },
    },
  },
];
