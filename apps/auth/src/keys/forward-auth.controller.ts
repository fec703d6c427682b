import { Authenticated, type AuthenticatedUser, CurrentUser } from '@commerce/platform';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';

/** A gateway's forward-auth target: 200 with the caller in headers, or 401 (docs/contract.md, auth). */
@Controller()
export class ForwardAuthController {
  @Get('verify')
  @Authenticated()
  verify(@CurrentUser() caller: AuthenticatedUser, @Res({ passthrough: true }) res: Response): { id: string } {
    res.setHeader('X-User-Id', caller.id);
    res.setHeader('X-User-Roles', caller.roles.join(','));
    return { id: caller.id };
  }
}
