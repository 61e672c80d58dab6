/** Template variables of a status SMS, as the notifications service fills them (for template tests). */
export const TEMPLATE_VARIABLES = {
  link: 'https://wifi.example.com/portal',
  customer_name: 'Ana',
  customer_phone: '+12025550123',
  voucher_code: 'V-1',
  plan_name: '1 hour',
  expiry: 'Nov 28, 2026, 2:30 PM',
  tenant_name: 'Beach Café',
};
