export { CustomersRepository, type CustomerSummary } from './repository.js';
export { parsePhone, formatPhone, examplePhone, type ParsedPhone, type PhoneProblem } from './phone.js';
