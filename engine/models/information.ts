import { InvalidArgumentError } from '../core/index.js';

const EPS = 2.220446049250313e-16;

/**
 * Returns the Shannon entropy, in nats, of the distribution given by non-negative `counts` (zeros
 * contribute nothing), as scipy.stats.entropy(counts): -sum p log p with p = count / total.
 * Allocates nothing; 0 when the total is 0.
 */
export function entropyOfCounts(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (!(c >= 0) || !Number.isFinite(c)) throw new InvalidArgumentError(`entropyOfCounts: counts[${i}] must be finite and >= 0, was ${c}`);
    total += c;
  }
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const p = (counts[i] as number) / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}

/** Maps labels to 0..classes-1 in ascending label order (as numpy.unique); returns the codes and the class count. */
function encode(labels: ArrayLike<number>, name: string): { codes: Int32Array; classes: number } {
  const n = labels.length;
  const distinct = new Set<number>();
  for (let i = 0; i < n; i++) {
    const v = labels[i] as number;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`${name}[${i}] is not a finite label (${v})`);
    distinct.add(v);
  }
  const sorted = Array.from(distinct).sort((p, q) => p - q);
  const index = new Map<number, number>();
  sorted.forEach((v, i) => index.set(v, i));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = index.get(labels[i] as number)!;
  return { codes, classes: sorted.length };
}

/**
 * Returns the Shannon entropy, in nats, of the empirical distribution of discrete `labels`, as
 * scipy.stats.entropy(np.unique(labels, return_counts=True)[1]). 0 for an empty array.
 */
export function entropy(labels: ArrayLike<number>): number {
  const { codes, classes } = encode(labels, 'entropy: labels');
  const counts = new Float64Array(classes);
  for (let i = 0; i < codes.length; i++) counts[codes[i]!]! += 1;
  return entropyOfCounts(counts);
}

/**
 * Returns the mutual information, in nats, of two discrete label arrays of the same length, as
 * sklearn.metrics.mutual_info_score(a, b): sum over the non-empty cells of the contingency table of
 * (n_ij / N) (log n_ij - log N - log(n_i. n_.j) + 2 log N), each term below machine epsilon in magnitude
 * set to 0 and the total clipped at 0. 0 when either array has a single class.
 */
export function mutualInformation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new InvalidArgumentError(`mutualInformation: a and b differ in length (${a.length} and ${b.length})`);
  const ea = encode(a, 'mutualInformation: a');
  const eb = encode(b, 'mutualInformation: b');
  if (ea.classes <= 1 || eb.classes <= 1) return 0;
  const rows = ea.classes;
  const cols = eb.classes;
  const table = new Float64Array(rows * cols);
  const pi = new Float64Array(rows);
  const pj = new Float64Array(cols);
  const n = a.length;
  for (let i = 0; i < n; i++) {
    table[ea.codes[i]! * cols + eb.codes[i]!]! += 1;
    pi[ea.codes[i]!]! += 1;
    pj[eb.codes[i]!]! += 1;
  }
  const logN = Math.log(n);
  let mi = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const nij = table[r * cols + c]!;
      if (nij === 0) continue;
      const share = nij / n;
      const logOuter = -Math.log(pi[r]! * pj[c]!) + logN + logN;
      const term = share * (Math.log(nij) - logN) + share * logOuter;
      if (Math.abs(term) >= EPS) mi += term;
    }
  }
  return mi > 0 ? mi : 0;
}

/**
 * Returns the quantile bin (0..bins-1) of each value, as pandas.qcut(x, k, labels=False,
 * duplicates='drop'): the edges are numpy.quantile(x, [0, 1/k, ..., 1]) (linear interpolation),
 * repeated edges are dropped (so ties can leave fewer than k bins), a value v gets the bin i with
 * edge[i] < v <= edge[i + 1], the smallest value bin 0. NaN and infinite values are refused.
 */
export function quantileBins(x: ArrayLike<number>, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`quantileBins: invalid 'k': expected a positive integer, was ${k}`);
  const n = x.length;
  if (n === 0) return new Int32Array(0);
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i] as number;
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`quantileBins: x[${i}] is not finite (${v})`);
    sorted[i] = v;
  }
  sorted.sort();
  const edges: number[] = [];
  const step = 1 / k;
  for (let q = 0; q <= k; q++) {
    const quantile = q === k ? 1 : q * step;
    const virtual = (n - 1) * quantile;
    const lo = Math.floor(virtual);
    const hi = Math.min(lo + 1, n - 1);
    const gamma = virtual - lo;
    const a = sorted[lo]!;
    const b = sorted[hi]!;
    const diff = b - a;
    // numpy's _lerp: a + diff t, or b - diff (1 - t) when t >= 0.5.
    const edge = gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    if (edges.length === 0 || edge !== edges[edges.length - 1]) edges.push(edge);
  }
  const out = new Int32Array(n);
  const last = edges.length - 1;
  for (let i = 0; i < n; i++) {
    const v = x[i] as number;
    // searchsorted(edges, v, side='left') - 1: the first edge >= v, minus one; v == edges[0] is bin 0.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo === 0 ? 0 : Math.min(lo - 1, Math.max(last - 1, 0));
  }
  return out;
}
