/**
 * engine/models: statistics shared by the strategies and the predictive layer, one implementation each,
 * pure and deterministic, each tested against a reference implementation (statsmodels, scipy,
 * scikit-learn, pandas, R's pracma; tests/fixtures/models-reference.json and the scripts beside it).
 */
export { adfTest, type AdfOptions, type AdfResult } from './adf.js';
export { cointegrationTest, type CointegrationOptions, type CointegrationResult } from './cointegration.js';
export { grangerTest, type GrangerLagResult } from './granger.js';
export { hurstExponent, RollingHurst, type HurstOptions } from './hurst.js';
export { rollingCorrelation, RollingCorrelation } from './correlation.js';
export { entropy, entropyOfCounts, mutualInformation, quantileBins } from './information.js';
export { mackinnonP, mackinnonCrit, type CriticalValues, type DfRegression } from './mackinnon.js';
export { olsFit, type OlsFit } from './ols.js';
export { fDistributionSf, logGamma, regularizedIncompleteBeta } from './special.js';
export {
  fitGaussianHmm,
  hmmFilter,
  hmmLogLikelihood,
  hmmSmooth,
  HmmForwardFilter,
  stationaryDistribution,
  viterbiPath,
  type GaussianHmmFit,
  type GaussianHmmOptions,
  type GaussianHmmParams,
  type HmmInitial,
} from './hmm.js';
export { HmmRegimeDetector, type HmmRegimeConfig } from './hmm-regime.js';
