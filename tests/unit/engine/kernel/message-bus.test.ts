import { describe, expect, it } from 'vitest';
import { MessageBus } from '../../../../engine/kernel/index.js';

describe('MessageBus', () => {
  it('calls handlers synchronously, in subscription order, only for their topic', () => {
    const bus = new MessageBus<{ fill: number; signal: string }>();
    const log: string[] = [];
    bus.subscribe('fill', (m) => log.push(`first ${m}`));
    bus.subscribe('signal', (m) => log.push(`signal ${m}`));
    bus.subscribe('fill', (m, topic) => log.push(`second ${m} on ${topic}`));
    expect(bus.publish('fill', 7)).toBe(2);
    log.push('after publish');
    expect(log).toEqual(['first 7', 'second 7 on fill', 'after publish']);
    expect(bus.publish('signal', 'up')).toBe(1);
  });

  it('returns 0 for a topic nobody listens to', () => {
    expect(new MessageBus().publish('nobody', 1)).toBe(0);
  });

  it('stops delivering after unsubscribe, and a second unsubscribe is harmless', () => {
    const bus = new MessageBus();
    const got: unknown[] = [];
    const off = bus.subscribe('t', (m) => got.push(m));
    bus.publish('t', 1);
    off();
    off();
    bus.publish('t', 2);
    expect(got).toEqual([1]);
    expect(bus.subscriberCount('t')).toBe(0);
  });

  it('delivers nested publishes depth-first', () => {
    const bus = new MessageBus<{ a: number; b: number }>();
    const log: string[] = [];
    bus.subscribe('a', (m) => {
      log.push(`a1 ${m}`);
      bus.publish('b', m * 10);
    });
    bus.subscribe('a', (m) => log.push(`a2 ${m}`));
    bus.subscribe('b', (m) => log.push(`b ${m}`));
    bus.publish('a', 1);
    expect(log).toEqual(['a1 1', 'b 10', 'a2 1']);
  });

  it('does not deliver the message in flight to a handler added or removed during it', () => {
    const bus = new MessageBus();
    const log: string[] = [];
    let offLater = (): void => undefined;
    bus.subscribe('t', (m) => {
      log.push(`first ${String(m)}`);
      bus.subscribe('t', (n) => log.push(`added ${String(n)}`));
      offLater();
    });
    offLater = bus.subscribe('t', (m) => log.push(`removed ${String(m)}`));
    bus.publish('t', 1);
    expect(log).toEqual(['first 1']);
    log.length = 0;
    bus.publish('t', 2);
    expect(log).toEqual(['first 2', 'added 2']);
  });

  it('propagates a handler error and skips the handlers after it', () => {
    const bus = new MessageBus();
    const log: string[] = [];
    bus.subscribe('t', () => {
      throw new Error('boom');
    });
    bus.subscribe('t', () => log.push('later'));
    expect(() => bus.publish('t', 0)).toThrow('boom');
    expect(log).toEqual([]);
  });
});
