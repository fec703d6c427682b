import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG, type BaseConfig } from '../config/config.ts';
import { ReadinessRegistry } from '../health/readiness.ts';
import { prismaAdapter, schemaOf } from './prisma.ts';

/** What the platform needs of an app's generated Prisma client. */
export interface PrismaClientLike {
  $disconnect(): Promise<void>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

type PrismaClientClass = new (options: {
  adapter: PrismaPg;
  transactionOptions?: { maxWait?: number; timeout?: number };
}) => PrismaClientLike;

const CLIENT = Symbol('DATABASE_CLIENT');

@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(CLIENT) private readonly client: PrismaClientLike,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    const schema = schemaOf(this.config.DATABASE_URL);
    this.readiness.register({
      name: 'database',
      kind: 'readiness',
      probe: async () => {
        await this.client.$queryRawUnsafe('SELECT 1');
        return { schema };
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.$disconnect();
  }
}

/** Gives the app its own Prisma client (the class generated from its schema), on its own schema and role. */
@Module({})
export class DatabaseModule {
  static forRoot(clientClass: PrismaClientClass): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: clientClass,
          useFactory: (config: BaseConfig) =>
            new clientClass({
              adapter: prismaAdapter(config.DATABASE_URL, {
                size: config.DATABASE_POOL_SIZE,
                timeoutMs: config.DATABASE_POOL_TIMEOUT_MS,
                // The pool replaces the connection; requests meanwhile answer 503 (unavailable.ts).
                onConnectionLost: (error) =>
                  new Logger('Database').warn(
                    { err: error },
                    'database connection lost; the pool reconnects on demand',
                  ),
              }),
              // A transaction that cannot start in time fails (P2028) instead of queueing on: 503.
              transactionOptions: { maxWait: config.DATABASE_TX_MAX_WAIT_MS },
            }),
          inject: [APP_CONFIG],
        },
        { provide: CLIENT, useExisting: clientClass },
        DatabaseLifecycle,
      ],
      exports: [clientClass],
    };
  }
}
