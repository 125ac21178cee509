export * from './config';
export * from './model';
