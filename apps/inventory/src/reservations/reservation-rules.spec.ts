import { describe, expect, it } from 'vitest';
import {
  decide,
  mergeLines,
  type OrderEventType,
  type ReservationAction,
  type ReservationState,
  compareSkus,
  rejectionOf,
  unknownSkus,
} from './reservation-rules.ts';

describe('the reservation rules', () => {
  describe('what an order event does in each state of its reservation', () => {
    const table: Array<[OrderEventType, ReservationState | null, ReservationAction]> = [
      ['order.placed', null, 'reserve'],
      ['order.placed', 'TOMBSTONE', 'refuse'],
      ['order.placed', 'HELD', 'ignore'],
      ['order.placed', 'COMMITTED', 'ignore'],
      ['order.placed', 'RELEASED', 'ignore'],
      ['order.placed', 'REJECTED', 'ignore'],
      ['order.placed', 'REFUSED_CANCELLED', 'ignore'],
      ['order.confirmed', 'HELD', 'commit'],
      ['order.confirmed', null, 'fail'],
      ['order.confirmed', 'COMMITTED', 'ignore'],
      ['order.confirmed', 'RELEASED', 'ignore'],
      ['order.confirmed', 'REJECTED', 'ignore'],
      ['order.confirmed', 'TOMBSTONE', 'ignore'],
      ['order.confirmed', 'REFUSED_CANCELLED', 'ignore'],
      ['order.cancelled', 'HELD', 'release'],
      ['order.cancelled', null, 'tombstone'],
      ['order.cancelled', 'COMMITTED', 'ignore'],
      ['order.cancelled', 'RELEASED', 'ignore'],
      ['order.cancelled', 'REJECTED', 'ignore'],
      ['order.cancelled', 'TOMBSTONE', 'ignore'],
      ['order.cancelled', 'REFUSED_CANCELLED', 'ignore'],
    ];

    it.each(table)('%s when the reservation is %s: %s', (event, state, action) => {
      expect(decide(event, state)).toBe(action);
    });

    it('reserves for an order only once, whatever came before', () => {
      const states: Array<ReservationState | null> = [
        null,
        'HELD',
        'COMMITTED',
        'RELEASED',
        'REJECTED',
        'TOMBSTONE',
        'REFUSED_CANCELLED',
      ];
      expect(states.filter((s) => decide('order.placed', s) === 'reserve')).toEqual([null]);
    });
  });

  describe('merging the lines of an order', () => {
    it('sums duplicate skus and sorts by sku', () => {
      expect(
        mergeLines([
          { sku: 'b', quantity: 1 },
          { sku: 'A', quantity: 2 },
          { sku: 'b', quantity: 3 },
          { sku: 'a', quantity: 1 },
        ]),
      ).toEqual([
        { sku: 'A', quantity: 2 },
        { sku: 'a', quantity: 1 },
        { sku: 'b', quantity: 4 },
      ]);
    });

    it('gives the same order however the lines come', () => {
      const lines = [
        { sku: 'SKU-2', quantity: 1 },
        { sku: 'SKU-10', quantity: 1 },
        { sku: 'SKU-1', quantity: 1 },
      ];
      expect(mergeLines(lines)).toEqual(mergeLines([...lines].reverse()));
      expect(mergeLines(lines).map((l) => l.sku)).toEqual(['SKU-1', 'SKU-10', 'SKU-2']);
    });
  });

  describe('judging an order.placed', () => {
    const lines = [
      { sku: 'A', quantity: 1 },
      { sku: 'C', quantity: 1 },
      { sku: 'B', quantity: 1 },
    ];

    it('names the skus the catalog does not have, once each, sorted', () => {
      expect(unknownSkus([...lines, { sku: 'C', quantity: 2 }], ['A'])).toEqual(['B', 'C']);
      expect(unknownSkus(lines, ['A', 'B', 'C', 'D'])).toEqual([]);
    });

    it('rejects UNKNOWN_SKU before OUT_OF_STOCK, naming only the skus of that reason', () => {
      expect(rejectionOf({ unknown: ['Z', 'X'], short: ['A'] })).toEqual({ reason: 'UNKNOWN_SKU', skus: ['X', 'Z'] });
      expect(rejectionOf({ unknown: [], short: ['C', 'A'] })).toEqual({ reason: 'OUT_OF_STOCK', skus: ['A', 'C'] });
    });

    it('accepts when nothing is unknown or short', () => {
      expect(rejectionOf({ unknown: [], short: [] })).toBeNull();
    });
  });

  describe('sku order', () => {
    it('orders skus by code unit, the same on every machine', () => {
      expect(compareSkus('A-1', 'A-1')).toBe(0);
      expect(compareSkus('A-1', 'A-2')).toBe(-1);
      expect(compareSkus('A-2', 'A-1')).toBe(1);
      // Upper case before lower case, unlike a locale's collation.
      expect(compareSkus('Z', 'a')).toBe(-1);
      expect(['b', 'B', 'a', 'A'].sort(compareSkus)).toEqual(['A', 'B', 'a', 'b']);
    });
  });
});
