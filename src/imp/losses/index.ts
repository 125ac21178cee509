export * from './nce';
export * from './cross_entropy';
