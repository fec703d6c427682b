/** The five apps as docs/contract.md lists them: the schema each owns, its local port and HTTP prefix. */
export const SERVICES = {
  auth: { schema: 'auth', port: 3001, prefix: 'api/auth' },
  order: { schema: 'orders', port: 3002, prefix: 'api/orders' },
  payment: { schema: 'payments', port: 3003, prefix: 'api/payments' },
  inventory: { schema: 'inventory', port: 3004, prefix: 'api/inventory' },
  notification: { schema: 'notifications', port: 3005, prefix: 'api/notifications' },
} as const;

export type ServiceName = keyof typeof SERVICES;

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
