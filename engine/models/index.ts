/**
 * engine/models: statistics shared by the strategies and the predictive layer, one implementation each,
 * pure and deterministic, each tested against a reference implementation (statsmodels, scipy,
 * scikit-learn, pandas, R's pracma and fGarch; tests/fixtures/models-reference.json and the scripts beside it).
 */
export {
  fitGarch11,
  garch11Forecast,
  garch11LogLikelihood,
  garch11Variance,
  GARCH11_MIN_OBSERVATIONS,
  type Garch11Fit,
  type Garch11Options,
  type Garch11Params,
} from './garch.js';
export {
  ConfidenceFilter,
  createPredictiveFilter,
  describePredictiveFilter,
  DirectionFilter,
  directionFilter,
  GarchVolatilityFilter,
  VolumeSurgeFilter,
  type ConfidenceFilterConfig,
  type DirectionFilterConfig,
  type DirectionForecaster,
  type FilterVerdict,
  type GarchVolatilityFilterConfig,
  type PredictiveFilter,
  type PredictiveFilterConfig,
  type VolumeSurgeFilterConfig,
} from './predictive-filters.js';
export { ONLINE_DIRECTION_DEFAULTS, OnlineDirectionForecaster, type OnlineDirectionConfig } from './online-direction.js';
export { PredictiveFilterSchema, PredictiveFiltersSchema } from './predictive-filter-schema.js';
export { nelderMead, type NelderMeadOptions, type NelderMeadResult } from './nelder-mead.js';
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
// Direction classifiers (issue 16): bar features, logistic regression, random forest, their JSON form, metrics.
export { BarFeatures, FEATURE_NAMES, checkFeatureNames, featureMatrix, isFeatureName, upLabels, type FeatureBars, type FeatureName } from './features.js';
export { fitLogistic, sigmoid, type LogisticFit, type LogisticOptions } from './logistic.js';
export {
  CLASSIFIER_FORMAT,
  ClassifierModelSchema,
  ClassifierSpecSchema,
  compileClassifier,
  parseClassifier,
  predictProbabilities,
  trainClassifier,
  type ClassifierModel,
  type ClassifierSpec,
  type ClassifierTree,
  type CompiledClassifier,
  type LogitModel,
  type LogitSpec,
  type RandomForestModel,
  type RandomForestSpec,
  type TrainOptions,
  type TrainedClassifier,
} from './classifier.js';
export { accuracy, calibrationTable, logLoss, rocAuc, type CalibrationBin } from './classification-metrics.js';
