import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Controller, type DynamicModule, Get, Header, Module, Res, type Type } from '@nestjs/common';
import { apiReference } from '@scalar/nestjs-api-reference';
import type { Response } from 'express';
import { buildOpenApiDocument, DOCS_ROUTES, type DocumentedApp, type PlatformRoutes } from './openapi-document.ts';

// The reference UI's browser script, served by the app: a machine without internet access reaches
// no CDN. A built app has it beside its bundle (tools/build/build-app.ts copies it); run from source
// (tests), it comes from the package, a dev dependency.
function apiReferenceScriptPath(): string {
  const built = join(import.meta.dirname, 'api-reference.js');
  if (existsSync(built)) return built;
  const main = createRequire(import.meta.url).resolve('@scalar/api-reference');
  return join(dirname(main), 'browser', 'standalone.js');
}

function documentationController(app: DocumentedApp, platform: PlatformRoutes): Type {
  const document = buildOpenApiDocument(app, platform);
  const base = `/${app.prefix}`;
  const page = apiReference({
    url: `${base}${DOCS_ROUTES.document}`,
    cdn: `${base}${DOCS_ROUTES.script}`,
    pageTitle: `${app.service} API`,
    // Nothing fetched from elsewhere, and none of Scalar's hosted services: no web fonts, no
    // telemetry, no AI agent, no MCP generator, no developer tools.
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    mcp: { disabled: true },
    showDeveloperTools: 'never',
  }) as (req: unknown, res: Response) => void;
  const script = apiReferenceScriptPath();

  /** The app's OpenAPI document and its reference UI (docs/contract.md, Documentation). */
  @Controller()
  class OpenApiController {
    @Get(DOCS_ROUTES.document.slice(1))
    document(): object {
      return document;
    }

    @Get(DOCS_ROUTES.page.slice(1))
    page(@Res() res: Response): void {
      page(undefined, res);
    }

    @Get(DOCS_ROUTES.script.slice(1))
    @Header('Cache-Control', 'public, max-age=3600')
    script(@Res() res: Response): void {
      res.type('text/javascript').sendFile(script);
    }
  }
  return OpenApiController;
}

/** Serves `<prefix>/openapi.json` and `<prefix>/docs`, built once from the app's route tables. */
@Module({})
export class OpenApiModule {
  static forApp(app: DocumentedApp, platform: PlatformRoutes = {}): DynamicModule {
    return { module: OpenApiModule, controllers: [documentationController(app, platform)] };
  }
}
