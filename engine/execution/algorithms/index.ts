export * from './algorithm-config.js';
export * from './schedule.js';
export * from './volume-profile.js';
export * from './algorithm-router.js';
export * from './algorithm-schema.js';
