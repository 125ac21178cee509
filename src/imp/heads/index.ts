export * from './heads';
