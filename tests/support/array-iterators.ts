/**
 * Runs `fn` and returns what it returned and how many array iterators it made (a `for...of` over an array, a
 * spread, `Array.from` of one): while code runs cold, each iterator and each of its result objects is a heap
 * allocation, so per-sample code that must not allocate is checked to make none. Array.prototype's iterator is
 * wrapped for the call only.
 */
export function countArrayIterators<T>(fn: () => T): { result: T; made: number } {
  const proto = Array.prototype as unknown as { [Symbol.iterator]: () => Iterator<unknown> };
  const original = proto[Symbol.iterator];
  let made = 0;
  proto[Symbol.iterator] = function (this: unknown[]) {
    made++;
    return original.call(this);
  };
  try {
    return { result: fn(), made };
  } finally {
    proto[Symbol.iterator] = original;
  }
}
