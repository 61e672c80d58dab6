/**
 * The login page's words, English and Spanish. A guest's phone in a captive sheet keeps no
 * cookies, so the language comes from `?lang=` (the switch), else Accept-Language, else the
 * tenant's locale.
 */
export const en = {
  'page.title': 'Wi-Fi login',
  'page.intro': 'Enter your voucher code to get online.',
  'code.label': 'Voucher code',
  'code.hint': 'The full code, or just its last part, as printed on your voucher.',
  submit: 'Connect',
  'lang.label': 'Language',
  'error.heading': 'That did not work',
  'error.EMPTY': 'Type the code from your voucher first.',
  'error.VOUCHER_UNKNOWN':
    'We could not find this code. Check it character by character (capital letters matter) or ask at the desk.',
  'error.VOUCHER_EXPIRED': 'This voucher has expired. Ask at the desk for a new one.',
  'error.VOUCHER_USED':
    'This voucher is used up: it has no data or time left. Ask at the desk for a new one.',
  'error.VOUCHER_DISABLED': 'This voucher has been switched off. Ask at the desk.',
  'error.VOUCHER_DEVICE_LIMIT':
    'This voucher is already in use on as many devices as it allows. Disconnect one of them, or ask at the desk.',
  'router.notResponding': 'The Wi-Fi could not reach the login service. Wait a minute and try again.',
  'router.generic': 'The Wi-Fi refused the login ({error}). Try again, or ask at the desk.',
  'router.missing':
    'This page opens by itself when you join the Wi-Fi. Connect to the network, then open any web page.',
  'connect.title': 'Connecting…',
  'connect.hint': 'Your code is right. If nothing happens in a moment, tap Connect.',
  'welcome.title': 'You are online',
  'welcome.voucher': 'Your voucher',
  'welcome.plan': 'Plan',
  'welcome.dataLeft': 'Data left',
  'welcome.timeLeft': 'Time left',
  'welcome.until': 'Valid until',
  'welcome.speed': 'Speed',
  'welcome.devices': 'Devices',
  'welcome.devicesValue': '{count} of {limit}',
  'welcome.unlimited': 'Unlimited',
  'welcome.notStarted': 'Starts with your first login',
  'welcome.speedValue': '{down} down · {up} up',
  'welcome.portalLead': 'See all your vouchers, usage and devices with your phone number.',
  'welcome.portalLink': 'Sign in with your phone',
  'welcome.expired': 'This link has expired. Sign in with your phone number to see your vouchers.',
  'connected.title': 'You are online',
  'connected.body': 'You can close this page.',
  'connected.continue': 'Continue to the page you asked for',
  'status.new': 'Ready',
  'status.active': 'Active',
  'status.online': 'Online',
  'status.used': 'Used up',
  'status.disabled': 'Switched off',
  'free.title': 'No voucher?',
  'free.intro':
    'Get online free with your mobile number: we text you a one-time code, and you are online with the {plan} plan.',
  'free.phoneLabel': 'Mobile number',
  'free.phoneHint': 'One SMS with a code. Later, the same number shows what you have used.',
  'free.send': 'Text me a code',
  'free.codeTitle': 'Enter the code',
  'free.sentTo': 'We sent a code by SMS to {phone}. It can take a minute to arrive.',
  'free.keepOpen':
    'If this page closes while you read the SMS, open any web page again: you come back here, and the same code still works.',
  'free.codeLabel': 'Code from the SMS',
  'free.codeHint': '{length} digits',
  'free.resend': 'Send a new code',
  'free.otherNumber': 'Use another number',
  'free.error.empty': 'Type your mobile number.',
  'free.error.not_a_number': 'That does not look like a phone number. Use digits only, like {example}.',
  'free.error.too_short': 'That number is too short. Include the area code, like {example}.',
  'free.error.too_long': 'That number is too long. Check it for extra digits.',
  'free.error.invalid':
    'That is not a valid mobile number for {country}. For another country, start with + and the country code.',
  'free.error.prefix':
    'Free access is not available for numbers from this country. Ask at the desk for a voucher.',
  'free.error.unavailable': 'Free access by phone is not available right now. Ask at the desk for a voucher.',
  'free.error.cooldown': 'We just sent a code. Wait {wait} before asking for another one.',
  'free.error.number': 'This number has had enough codes for now. Try again in {wait}, or ask at the desk.',
  'free.error.device': 'This device has had enough codes for now. Try again in {wait}, or ask at the desk.',
  'free.error.busy': 'Free access is busy right now. Try again in {wait}, or ask at the desk for a voucher.',
  'free.error.usedUp':
    'This number has used its free access for now. Try again in {wait}, or ask at the desk for a voucher.',
  'free.error.emptyCode': 'Type the code from the SMS.',
  'free.error.wrongCode': 'That code is not right. Tries left: {count}.',
  'free.error.codeInvalid': 'This code is no longer valid. Ask for a new one.',
  'free.error.expired': 'This code has expired. Ask for a new one.',
  'free.error.locked': 'Too many wrong codes. Ask for a new one.',
  'free.error.unknownFlow': 'This request has ended. Type your number again.',
} as const;

export type MessageKey = keyof typeof en;

export const es: Record<MessageKey, string> = {
  'page.title': 'Acceso a la Wi-Fi',
  'page.intro': 'Escribe el código de tu ficha para conectarte.',
  'code.label': 'Código de la ficha',
  'code.hint': 'El código completo, o solo su última parte, tal como está impreso en tu ficha.',
  submit: 'Conectar',
  'lang.label': 'Idioma',
  'error.heading': 'No ha funcionado',
  'error.EMPTY': 'Primero escribe el código de tu ficha.',
  'error.VOUCHER_UNKNOWN':
    'No encontramos este código. Revísalo carácter por carácter (las mayúsculas cuentan) o pregunta en recepción.',
  'error.VOUCHER_EXPIRED': 'Esta ficha ha caducado. Pide una nueva en recepción.',
  'error.VOUCHER_USED': 'Esta ficha está agotada: no le quedan datos ni tiempo. Pide una nueva en recepción.',
  'error.VOUCHER_DISABLED': 'Esta ficha ha sido desactivada. Pregunta en recepción.',
  'error.VOUCHER_DEVICE_LIMIT':
    'Esta ficha ya se usa en todos los dispositivos que permite. Desconecta uno de ellos o pregunta en recepción.',
  'router.notResponding':
    'La Wi-Fi no pudo contactar con el servicio de acceso. Espera un minuto y vuelve a intentarlo.',
  'router.generic': 'La Wi-Fi rechazó el acceso ({error}). Vuelve a intentarlo o pregunta en recepción.',
  'router.missing':
    'Esta página se abre sola al unirte a la Wi-Fi. Conéctate a la red y abre cualquier página web.',
  'connect.title': 'Conectando…',
  'connect.hint': 'Tu código es correcto. Si no pasa nada en un momento, pulsa Conectar.',
  'welcome.title': 'Ya tienes conexión',
  'welcome.voucher': 'Tu ficha',
  'welcome.plan': 'Plan',
  'welcome.dataLeft': 'Datos restantes',
  'welcome.timeLeft': 'Tiempo restante',
  'welcome.until': 'Válida hasta',
  'welcome.speed': 'Velocidad',
  'welcome.devices': 'Dispositivos',
  'welcome.devicesValue': '{count} de {limit}',
  'welcome.unlimited': 'Ilimitado',
  'welcome.notStarted': 'Empieza con tu primer acceso',
  'welcome.speedValue': '{down} de bajada · {up} de subida',
  'welcome.portalLead': 'Consulta todas tus fichas, tu consumo y tus dispositivos con tu número de teléfono.',
  'welcome.portalLink': 'Entrar con tu teléfono',
  'welcome.expired': 'Este enlace ha caducado. Entra con tu número de teléfono para ver tus fichas.',
  'connected.title': 'Ya tienes conexión',
  'connected.body': 'Puedes cerrar esta página.',
  'connected.continue': 'Ir a la página que pediste',
  'status.new': 'Lista',
  'status.active': 'Activa',
  'status.online': 'Conectada',
  'status.used': 'Agotada',
  'status.disabled': 'Desactivada',
  'free.title': '¿No tienes ficha?',
  'free.intro':
    'Conéctate gratis con tu número de móvil: te enviamos un código por SMS y te conectas con el plan {plan}.',
  'free.phoneLabel': 'Número de móvil',
  'free.phoneHint': 'Un SMS con un código. Después, el mismo número te muestra lo que has usado.',
  'free.send': 'Envíame un código',
  'free.codeTitle': 'Escribe el código',
  'free.sentTo': 'Enviamos un código por SMS al {phone}. Puede tardar un minuto en llegar.',
  'free.keepOpen':
    'Si esta página se cierra mientras lees el SMS, abre de nuevo cualquier página web: volverás aquí y el mismo código seguirá valiendo.',
  'free.codeLabel': 'Código del SMS',
  'free.codeHint': '{length} dígitos',
  'free.resend': 'Enviar un código nuevo',
  'free.otherNumber': 'Usar otro número',
  'free.error.empty': 'Escribe tu número de móvil.',
  'free.error.not_a_number': 'Eso no parece un número de teléfono. Usa solo dígitos, como {example}.',
  'free.error.too_short': 'Ese número es demasiado corto. Incluye el prefijo de zona, como {example}.',
  'free.error.too_long': 'Ese número es demasiado largo. Revisa si sobran dígitos.',
  'free.error.invalid':
    'Ese número de móvil no es válido en {country}. Para otro país, empieza con + y el código del país.',
  'free.error.prefix':
    'El acceso gratis no está disponible para números de este país. Pide una ficha en recepción.',
  'free.error.unavailable':
    'El acceso gratis por teléfono no está disponible ahora. Pide una ficha en recepción.',
  'free.error.cooldown': 'Acabamos de enviar un código. Espera {wait} antes de pedir otro.',
  'free.error.number':
    'Este número ya ha recibido suficientes códigos. Vuelve a intentarlo en {wait} o pregunta en recepción.',
  'free.error.device':
    'Este dispositivo ya ha recibido suficientes códigos. Vuelve a intentarlo en {wait} o pregunta en recepción.',
  'free.error.busy':
    'El acceso gratis está saturado ahora. Vuelve a intentarlo en {wait} o pide una ficha en recepción.',
  'free.error.usedUp':
    'Este número ya ha usado su acceso gratis. Vuelve a intentarlo en {wait} o pide una ficha en recepción.',
  'free.error.emptyCode': 'Escribe el código del SMS.',
  'free.error.wrongCode': 'Ese código no es correcto. Intentos restantes: {count}.',
  'free.error.codeInvalid': 'Este código ya no es válido. Pide uno nuevo.',
  'free.error.expired': 'Este código ha caducado. Pide uno nuevo.',
  'free.error.locked': 'Demasiados códigos incorrectos. Pide uno nuevo.',
  'free.error.unknownFlow': 'Esta solicitud ha terminado. Escribe tu número de nuevo.',
};

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español' };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function translator(language: Language): Translate {
  const catalog: Record<MessageKey, string> = language === 'es' ? es : en;
  return (key, params) =>
    params
      ? catalog[key].replace(/\{(\w+)\}/g, (match, name: string) =>
          params[name] === undefined ? match : String(params[name]),
        )
      : catalog[key];
}

/** `?lang=`, else the best of Accept-Language, else the tenant's locale, else English. */
export function pickLanguage(
  explicit: unknown,
  acceptLanguage: string | undefined,
  tenantLocale: string,
): Language {
  if (isLanguage(explicit)) return explicit;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().split(';');
    if (params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))) continue;
    const base = tag.trim().toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  const tenantLanguage = tenantLocale.toLowerCase().split('-')[0];
  return isLanguage(tenantLanguage) ? tenantLanguage : 'en';
}
