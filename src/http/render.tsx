import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Renders a page component to an HTML document. Preact escapes every text and attribute value. */
export function renderDocument(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}
