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
 * The empty icon keeps the browser from asking for /favicon.ico, which the
 * API's fallback answers 400 (a console error on every page).
 */
export function page(title: string, section: Section, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · sagemaker-emulator</title>
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

/**
 * A part of a page htmx replaces every 2 s with the fragment at `liveUrl`
 * (the same markup the server put there first): how the lists show new state
 * without a reload.
 */
export function livePanel(id: string, liveUrl: string, content: Html): Html {
  return html`<div id="${id}" class="${id.replace(/-live$/, '')}-view" data-testid="${id}" hx-get="${liveUrl}" hx-trigger="every 2s" hx-swap="innerHTML">
${content}
</div>`;
}
