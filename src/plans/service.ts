import {
  AppError,
  cleanName,
  type Clock,
  NAME_MAX_CHARS,
  notFound,
  type Page,
  type PageRequest,
  type Sort,
} from '../shared/index.js';
import type { PlanInput, PlanView } from './model.js';
import type { PlanFilter, PlanSortKey, PlansRepository } from './repository.js';

/** Plans: the templates vouchers are made from. Limits are copied into each voucher at creation. */
export class PlansService {
  constructor(
    private readonly plans: PlansRepository,
    private readonly clock: Clock,
  ) {}

  list(
    tenantId: number,
    filter: PlanFilter,
    sort: Sort<PlanSortKey>,
    page: PageRequest,
  ): Promise<Page<PlanView>> {
    return this.plans.list(tenantId, filter, sort, page);
  }

  listActive(tenantId: number): Promise<PlanView[]> {
    return this.plans.listActive(tenantId);
  }

  find(tenantId: number, id: number): Promise<PlanView | undefined> {
    return this.plans.find(tenantId, id);
  }

  async get(tenantId: number, id: number): Promise<PlanView> {
    const plan = await this.plans.find(tenantId, id);
    if (!plan) throw notFound('Plan');
    return plan;
  }

  create(tenantId: number, input: PlanInput): Promise<PlanView> {
    return this.plans.create(tenantId, validatePlan(input), this.clock.nowMs());
  }

  async update(tenantId: number, id: number, input: PlanInput): Promise<PlanView> {
    if (!(await this.plans.update(tenantId, id, validatePlan(input), this.clock.nowMs())))
      throw notFound('Plan');
    return this.get(tenantId, id);
  }

  async setActive(tenantId: number, id: number, isActive: boolean): Promise<PlanView> {
    if (!(await this.plans.setActive(tenantId, id, isActive, this.clock.nowMs()))) throw notFound('Plan');
    return this.get(tenantId, id);
  }
}

const positiveOrNull = (value: number | null, field: string, errors: Record<string, string>) => {
  if (value === null) return;
  if (!Number.isSafeInteger(value) || value <= 0) errors[field] = 'must be a positive whole number or empty';
};

/** Checks a plan's fields; throws VALIDATION with one message per field. */
export function validatePlan(input: PlanInput): PlanInput {
  const errors: Record<string, string> = {};
  const title = cleanName(input.title);
  if (!title || title.length > NAME_MAX_CHARS) errors.title = 'is required (up to 200 characters)';
  if (!/^[A-Za-z0-9]{1,32}$/.test(input.voucherPrefix))
    errors.voucherPrefix = 'must be 1-32 letters or digits (it becomes part of each voucher code)';
  if (!Number.isSafeInteger(input.priceMinor) || input.priceMinor < 0)
    errors.priceMinor = 'must be zero or a positive whole number of minor units';
  if (!/^[A-Z]{3}$/.test(input.currency)) errors.currency = 'must be a 3-letter ISO 4217 code';
  positiveOrNull(input.speedDownKbps, 'speedDownKbps', errors);
  positiveOrNull(input.speedUpKbps, 'speedUpKbps', errors);
  positiveOrNull(input.dataLimitBytes, 'dataLimitBytes', errors);
  positiveOrNull(input.downloadLimitBytes, 'downloadLimitBytes', errors);
  positiveOrNull(input.uploadLimitBytes, 'uploadLimitBytes', errors);
  positiveOrNull(input.timeLimitSeconds, 'timeLimitSeconds', errors);
  positiveOrNull(input.validitySeconds, 'validitySeconds', errors);
  if (!Number.isInteger(input.devicesLimit) || input.devicesLimit < 1 || input.devicesLimit > 100)
    errors.devicesLimit = 'must be between 1 and 100';
  if (Object.keys(errors).length > 0) {
    const summary = Object.entries(errors)
      .map(([field, message]) => `${field} ${message}`)
      .join('; ');
    throw new AppError('VALIDATION', `The plan is not valid: ${summary}`, { fields: errors });
  }
  return { ...input, title };
}
