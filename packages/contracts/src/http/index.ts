export * from './passport';
export * from './personalization';
export * from './problem';
