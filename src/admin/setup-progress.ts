/**
 * The dashboard's first-run checklist: which of the steps a new operator takes (plan, hotspot,
 * its login page on the router, SMS, portal, vouchers, a customer's voucher, its SMS) this tenant has done. A read model over
 * several modules: one indexed "is there a row" probe per step, each in the repository of the
 * module that owns the data and scoped by tenant, so it stays cheap however large the tenant grows.
 */

export const SETUP_STEPS = [
  'plan',
  'hotspot',
  'loginPage',
  'smsGateway',
  'portal',
  'series',
  'assigned',
  'voucherSms',
] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

export type SetupProgress = Record<SetupStep, boolean>;

/** One "has this tenant done it" probe per step, each answered by the module that owns the data. */
export type SetupChecks = Record<SetupStep, (tenantId: number) => Promise<boolean>>;

const ALL_DONE = Object.fromEntries(SETUP_STEPS.map((step) => [step, true])) as SetupProgress;

export class SetupProgressQueries {
  /** Tenants whose every step is done: the checklist is gone for good, so they are not asked again. */
  private readonly completed = new Set<number>();

  constructor(private readonly checks: SetupChecks) {}

  async of(tenantId: number): Promise<SetupProgress> {
    if (this.completed.has(tenantId)) return ALL_DONE;
    const done = await Promise.all(SETUP_STEPS.map((step) => this.checks[step](tenantId)));
    if (done.every(Boolean)) this.completed.add(tenantId);
    return Object.fromEntries(SETUP_STEPS.map((step, i) => [step, done[i] === true])) as SetupProgress;
  }
}
