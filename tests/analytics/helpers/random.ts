// Simulation tests draw from the same seeded generator as the product.
export * from '../../../src/analytics/random.ts';
