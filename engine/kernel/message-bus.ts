/** A handler of messages published on one topic. */
export type MessageHandler<T> = (message: T, topic: string) => void;

interface Subscription<T> {
  readonly handler: MessageHandler<T>;
  active: boolean;
}

/**
 * A synchronous publish/subscribe bus. `publish` calls the topic's handlers one after the other, in
 * subscription order, before it returns; there are no Promises and no queue, so the order of effects
 * is the order of calls and a run is reproducible.
 *
 * Topic types come from the type parameter, e.g.
 * `new MessageBus<{ fill: OrderFilled; signal: Signal }>()`.
 *
 * Re-entrancy: a handler may publish (the nested message is delivered depth-first, before the outer
 * publish continues), subscribe (the new handler receives later messages, not the one in flight) and
 * unsubscribe (the removed handler receives nothing more, not even the message in flight). A handler
 * that throws stops the publish and the error propagates: a broken invariant stops the run.
 */
export class MessageBus<Topics extends object = Record<string, unknown>> {
  /** Per topic, the live subscriptions; replaced (copy-on-write) on subscribe and unsubscribe so a
   * publish in progress iterates a stable array without copying it per message. */
  private readonly topics = new Map<string, Subscription<never>[]>();

  /** Delivers `message` to every handler of `topic`; returns how many handlers received it. */
  publish<K extends keyof Topics & string>(topic: K, message: Topics[K]): number {
    const subs = this.topics.get(topic) as Subscription<Topics[K]>[] | undefined;
    if (subs === undefined) return 0;
    let delivered = 0;
    for (let i = 0; i < subs.length; i++) {
      const sub = subs[i]!;
      if (!sub.active) continue;
      sub.handler(message, topic);
      delivered++;
    }
    return delivered;
  }

  /** Adds `handler` to `topic` after the existing ones; returns a function that removes it (calling
   * that function again does nothing). The same handler subscribed twice is called twice. */
  subscribe<K extends keyof Topics & string>(topic: K, handler: MessageHandler<Topics[K]>): () => void {
    const sub: Subscription<Topics[K]> = { handler, active: true };
    const current = (this.topics.get(topic) ?? []) as Subscription<Topics[K]>[];
    this.topics.set(topic, [...current, sub] as Subscription<never>[]);
    return () => {
      if (!sub.active) return;
      sub.active = false;
      const remaining = (this.topics.get(topic) ?? []).filter((s) => s !== sub);
      if (remaining.length === 0) this.topics.delete(topic);
      else this.topics.set(topic, remaining);
    };
  }

  /** Returns the number of handlers subscribed to `topic`. */
  subscriberCount(topic: keyof Topics & string): number {
    return this.topics.get(topic)?.length ?? 0;
  }
}
