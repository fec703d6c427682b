export { OutboxModule, type OutboxModuleOptions, OutboxRelayService } from './outbox.module.ts';
export { Outbox } from './outbox.service.ts';
export { addToOutbox, headersOf, type OutboxTransaction } from './outbox.ts';
export {
  type OutboxLag,
  OutboxRelay,
  type OutboxRelayOptions,
  type OutboxRow,
  type RelayFaults,
  type RelayLogger,
} from './relay.ts';
