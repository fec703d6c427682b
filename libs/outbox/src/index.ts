export { addToOutbox, headersOf, type OutboxTransaction } from './outbox.ts';
