export * from './embedded';
export * from './positional';
export * from './drop_token';
export * from './patches';
export * from './vision';
export * from './audio';
export * from './text';
