// Moved to src/reports/customer-satisfaction.ts (the customer card's figures live under the reports).
export { customerSatisfactionFields } from '../reports/customer-satisfaction.ts';
