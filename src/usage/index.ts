export { UsagePortalQueries, type CustomerSession, type DailyUsage } from './portal-queries.js';
