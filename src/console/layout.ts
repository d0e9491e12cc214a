import { type Html, html } from './html.js';

/** The console's sections, in the navigation's order. */
export const NAV = [
  { id: 'endpoints', label: 'Endpoints', href: '/console/' },
  { id: 'configs', label: 'Configs & models', href: '/console/configs' },
  { id: 'jobs', label: 'Jobs', href: '/console/jobs' },
  { id: 'scaling', label: 'Scaling', href: '/console/scaling' },
] as const;

export type Section = (typeof NAV)[number]['id'];

/**
 * A whole page: the navigation, the section's body, and the scripts every page
 * loads (htmx for the live parts, uPlot for the charts, console.js to draw
 * them). The scripts are served by the emulator itself (static-assets.ts).
 * The empty icon keeps browsers from asking for /favicon.ico, which the
 * listener answers as an unknown AWS operation (a 400 in the browser console).
 */
export function page(title: string, section: Section, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · sagemaker-emulator</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/static/uPlot.min.css">
<link rel="stylesheet" href="/console/static/console.css">
<script src="/console/static/htmx.min.js"></script>
<script src="/console/static/uPlot.iife.min.js"></script>
<script src="/console/static/console.js" defer></script>
</head>
<body>
<header>
  <a class="brand" href="/console/">sagemaker-emulator</a>
  <nav>${NAV.map((n) => html`<a href="${n.href}" data-nav="${n.id}"${n.id === section ? html` aria-current="page"` : ''}>${n.label}</a>`)}</nav>
</header>
<main id="main" data-section="${section}">
${body}
</main>
</body>
</html>
`;
}
