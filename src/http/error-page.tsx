import type { Problem } from './errors.js';
import { renderDocument } from './render.js';

/** A plain, self-contained error page: never a stack trace, always a way back. */
export function renderErrorPage(problem: Problem, homeHref: string): string {
  return renderDocument(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${problem.status} · ${problem.title}`}</title>
        <link rel="stylesheet" href="/assets/portico.css" />
      </head>
      <body class="error-page">
        <main class="card narrow">
          <h1>{problem.title}</h1>
          <p class="muted">Error {problem.status}</p>
          <p>
            <a href={homeHref}>Go back</a>
          </p>
        </main>
      </body>
    </html>,
  );
}
