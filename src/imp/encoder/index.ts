export * from './attention';
export * from './encoder';
