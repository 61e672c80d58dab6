export { PlansRepository, PLAN_SORT_KEYS, type PlanSortKey, type PlanFilter } from './repository.js';
export { PlansService, validatePlan } from './service.js';
export { toPlanView, type PlanView, type PlanInput } from './model.js';
