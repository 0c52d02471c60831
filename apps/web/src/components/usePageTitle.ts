import { useEffect } from 'react';
import { documentTitle } from '../domain/pageTitle';

/** Sets the document title for the screen that calls it (index.html's is the app name alone). */
export function usePageTitle(page: string | null | undefined): void {
  useEffect(() => {
    document.title = documentTitle(page);
  }, [page]);
}
