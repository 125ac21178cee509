export * from './errors';
export * from './rng';
export * from './registry';
export * from './params';
export * from './ops';
