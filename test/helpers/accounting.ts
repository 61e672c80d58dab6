/** Accounting test data: a record as the RADIUS edge decodes an Accounting-Request. */
import type { AccountingRecord } from '../../src/usage/index.js';

/**
 * An AccountingRecord with only the attributes `values` names; every other optional attribute
 * absent (undefined), as when the NAS leaves it out.
 */
export function accountingRecord(
  values: Pick<AccountingRecord, 'tenantId' | 'hotspotId' | 'statusType' | 'eventAtMs'> &
    Partial<AccountingRecord>,
): AccountingRecord {
  return {
    timeZone: 'UTC',
    acctSessionId: undefined,
    userName: '',
    classTag: undefined,
    callingStationId: undefined,
    framedIp: undefined,
    nasPort: undefined,
    downloadedBytes: undefined,
    uploadedBytes: undefined,
    sessionSeconds: undefined,
    terminateCause: undefined,
    ...values,
  };
}
