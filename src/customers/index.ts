export { CustomersRepository, type CustomerSummary } from './repository.js';
export { parsePhone, formatPhone, examplePhone, type ParsedPhone, type PhoneProblem } from './phone.js';
export {
  CustomersAdminRepository,
  CUSTOMER_SORT_KEYS,
  CUSTOMER_STATUSES,
  normalizePhone,
  toCustomerView,
  type CustomerFilter,
  type CustomerInput,
  type CustomerSortKey,
  type CustomerStatus,
  type CustomerView,
} from './admin-repository.js';
