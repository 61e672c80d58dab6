/** Reads a server-rendered form out of HTML (tests that walk pages without a browser). */
export interface ParsedForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decode(match[1]!) : undefined;
}

/** The first form (or the one whose opening tag matches `selector`) with its input values. */
export function parseForm(html: string, selector?: RegExp): ParsedForm {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
  const form = selector ? forms.find((f) => selector.test(f.slice(0, f.indexOf('>') + 1))) : forms[0];
  if (!form) throw new Error('no such form in the page');
  const open = form.slice(0, form.indexOf('>') + 1);
  const fields: Record<string, string> = {};
  for (const input of form.match(/<input\b[^>]*>/g) ?? []) {
    const name = attribute(input, 'name');
    if (name !== undefined) fields[name] = attribute(input, 'value') ?? '';
  }
  return {
    action: attribute(open, 'action') ?? '',
    method: (attribute(open, 'method') ?? 'get').toLowerCase(),
    fields,
  };
}
