export { PlansRepository, PLAN_SORT_KEYS, type PlanSortKey, type PlanFilter } from './repository.js';
export { PlansService, validatePlan } from './service.js';
export {
  copyPlanTerms,
  toPlanTerms,
  toPlanView,
  type PlanInput,
  type PlanTerms,
  type PlanView,
} from './model.js';
