import { describe, expect, it } from 'vitest';
import { DEFAULT_VENUE_CONFIG, SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';

describe('venueConfig', () => {
  it('applies every default and freezes the result', () => {
    const c = venueConfig();
    expect(c).toEqual(DEFAULT_VENUE_CONFIG);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(venueConfig({ fees: { kind: 'fraction', rate: 0.002 } }).fees)).toBe(true);
  });

  it('rejects an unknown key naming the path', () => {
    expect(() => venueConfig({ marketfill: 'close' } as never)).toThrow("invalid 'venue.marketfill': unknown key");
  });

  it('rejects a negative fee rate naming the field and value', () => {
    expect(() => venueConfig({ fees: { kind: 'fraction', rate: -0.1 } })).toThrow("invalid 'venue.fees.rate': negative, was -0.1");
  });

  it('rejects a volume share outside (0, 1]', () => {
    expect(() => venueConfig({ slippage: { kind: 'volume_share', share: 1.5 } })).toThrow("invalid 'venue.slippage.share'");
  });

  it('requires the bar interval for fills at the close', () => {
    expect(() => venueConfig({ marketFill: 'close' })).toThrow("invalid 'venue.barIntervalUs': required when marketFill is 'close'");
  });
});

describe('assumptions', () => {
  it('lists the rules in force in words', () => {
    const venue = new SimulatedVenue(
      venueConfig({ fees: { kind: 'fraction', rate: 0.002 }, slippage: { kind: 'fixed_bps', bps: 5 }, intrabarPath: 'olhc' }),
      { onOrderEvent: () => {} },
      ['AAA'],
    );
    const a = venue.assumptions();
    expect(a).toContain("Market orders fill at the next bar's open");
    expect(a).toContain('Stops and limits trigger along the open-low-high-close path');
    expect(a).toContain('Commission: 0.2% of traded notional');
    expect(a).toContain('Own orders do not move prices (no market impact) and do not consume liquidity seen by other own orders');
    expect(a.some((x) => x.includes('5 bps against the order'))).toBe(true);
  });

  it('states the minimum commission per order', () => {
    const venue = new SimulatedVenue(venueConfig({ fees: { kind: 'per_unit', perUnit: 0.005, minimum: 1 } }), { onOrderEvent: () => {} }, ['AAA']);
    expect(venue.assumptions()).toContain(
      'Commission: 0.005 per unit traded, with a minimum of 1 per order (the order\'s total commission is max(sum of its fill fees, 1))',
    );
  });
});
