export * from './model.js';
export * from './verdict.js';
export * from './report.js';
