// The quadprog package (an R port, CommonJS) ships no types. Arrays are 1-indexed: element 0 is unused.
declare module 'quadprog' {
  interface QuadprogResult {
    solution?: number[];
    Lagrangian?: number[];
    value?: number[];
    iterations?: number[];
    iact?: number[];
    message: string;
  }
  interface Quadprog {
    /** Minimises -d'b + 1/2 b'Db subject to A'b >= b0, the first `meq` constraints as equalities. Mutates its inputs. */
    solveQP(Dmat: number[][], dvec: number[], Amat: number[][], bvec: number[], meq?: number, factorized?: number[]): QuadprogResult;
  }
  const quadprog: Quadprog;
  export = quadprog;
}
