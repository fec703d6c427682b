export { OutboxModule, type OutboxModuleOptions, OutboxRelayService } from './outbox.module.ts';
export { Outbox } from './outbox.service.ts';
export { addToOutbox, headersOf, type OutboxTransaction } from './outbox.ts';
export { type OutboxLag, type OutboxRow } from './relay/outbox-claim.ts';
export { OutboxRelay, type OutboxRelayOptions, type RelayFaults, type RelayLogger } from './relay/outbox-relay.ts';
