/**
 * The document title of each screen: what a screen reader announces on navigation and what a tab
 * or the history list shows (WCAG 2.2, 2.4.2 Page Titled). The page first, the app name after.
 */
export function documentTitle(page: string | null | undefined): string {
  const name = page?.trim();
  return name ? `${name} – PackyTrace` : 'PackyTrace';
}
